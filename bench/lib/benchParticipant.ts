import type { Browser, Page } from '@playwright/test';
import type { SessionResponse } from '../../common/protocol/index.js';
import { launchChromium } from '../../tests/helpers/chromium.js';
import type { TestServer } from '../../tests/helpers/testServer.js';
import { register, TestClient } from '../../tests/helpers/wsClient.js';
import { installPageProbe, probeReady, type ProbeOptions } from './pageProbe.js';

/** One signed-in person in a browser of their own, whose microphone plays `wav`, with the probe. */
export interface BenchParticipant {
  name: string;
  session: SessionResponse;
  browser: Browser;
  page: Page;
}

/**
 * Like tests/helpers/callPages.ts `openParticipant`, without Playwright's test-only `expect`
 * (the runner is not a Playwright test) and with the benchmark probe installed before the app.
 * `settings` go into localStorage as the app stores them (`earshot:setting:<key>` = JSON).
 */
export async function openBenchParticipant(
  srv: TestServer,
  username: string,
  displayName: string,
  wav: string,
  opts: { settings?: Record<string, unknown>; probe: ProbeOptions },
): Promise<BenchParticipant> {
  const session = await register(srv.url, username, displayName);
  const browser = await launchChromium(wav);
  const page = await browser.newPage();
  await installPageProbe(page, opts.probe);
  await page.addInitScript(
    ({ token, settings }) => {
      localStorage.setItem('earshot:sessionToken', token);
      for (const [key, value] of Object.entries(settings)) localStorage.setItem(`earshot:setting:${key}`, JSON.stringify(value));
    },
    { token: session.token, settings: opts.settings ?? {} },
  );
  await page.goto(srv.url);
  await page.getByRole('button', { name: 'New direct message' }).waitFor({ timeout: 15_000 });
  await probeReady(page);
  return { name: displayName, session, browser, page };
}

/** Create the direct conversation between two people through the real server. */
export async function createDirect(srv: TestServer, a: BenchParticipant, b: BenchParticipant): Promise<void> {
  const client = await TestClient.connect(srv.wsUrl, a.session.token);
  try {
    await client.request('conversations.createDirect', { userId: b.session.user.id });
  } finally {
    client.close();
  }
}

/** Open the conversation with `peerName` and wait for its Call button. */
export async function openConversation(page: Page, peerName: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: new RegExp(peerName) }).first().click();
  await page.getByRole('button', { name: 'Call', exact: true }).waitFor({ timeout: 10_000 });
}

/**
 * Alice and Bob for a 1-on-1 call benchmark: both signed in, both microphones playing `wav`,
 * with `opts` (microphone settings, probe), their direct conversation created and open on
 * Alice's side. `people` gets each as soon as its browser exists, so the caller's cleanup
 * closes it even when the next step fails.
 */
export async function openCallPair(
  srv: TestServer,
  wav: string,
  opts: { settings?: Record<string, unknown>; probe: ProbeOptions },
  people: BenchParticipant[],
): Promise<{ alice: BenchParticipant; bob: BenchParticipant }> {
  const alice = await openBenchParticipant(srv, 'alice', 'Alice', wav, opts);
  people.push(alice);
  const bob = await openBenchParticipant(srv, 'bob', 'Bob', wav, opts);
  people.push(bob);
  await createDirect(srv, alice, bob);
  await openConversation(alice.page, 'Bob');
  return { alice, bob };
}
