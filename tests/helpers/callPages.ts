import { expect, type Browser, type Locator, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { SessionResponse } from '../../common/protocol/index.js';
import { installAudioProbe } from './audioProbe.js';
import { launchChromium } from './chromium.js';
import type { TestServer } from './testServer.js';
import { makeTone } from './tones.js';
import { register, TestClient } from './wsClient.js';

/** One signed-in person in their own browser, whose fake microphone plays `toneHz`. */
export interface Participant {
  name: string;
  session: SessionResponse;
  browser: Browser;
  page: Page;
  toneHz: number;
}

/**
 * Register `username` through the API and open the web client signed in, in a browser of its
 * own whose microphone is a sox tone. The token goes into localStorage the way the client
 * stores it after signing in, so the test skips the sign-in form (chat.spec covers that).
 */
export async function openParticipant(
  srv: Pick<TestServer, 'url'>,
  username: string,
  displayName: string,
  toneHz: number,
  opts: {
    settings?: Record<string, unknown>;
    launch?: (wav: string) => Promise<Browser>;
    baseUrl?: string;
    session?: SessionResponse;
    /** More init scripts for the page before it loads (e.g. a stand-in desktop bridge). */
    prepare?: (page: Page) => Promise<void>;
  } = {},
): Promise<Participant> {
  const session = opts.session ?? (await register(srv.url, username, displayName));
  const wav = await makeTone(toneHz, 30);
  const browser = await (opts.launch ?? launchChromium)(wav);
  // An explicit context (not browser.newPage()) so a test can open more windows of the same
  // person's app in it (e.g. the desktop ring window): they share storage, like the app's windows.
  const page = await (await browser.newContext()).newPage();
  await installAudioProbe(page);
  await page.addInitScript(
    ({ token, settings }) => {
      if (!sessionStorage.getItem('earshot:test-initialised')) {
        localStorage.setItem('earshot:sessionToken', token);
        for (const [key, value] of Object.entries(settings)) localStorage.setItem(`earshot:setting:${key}`, JSON.stringify(value));
        sessionStorage.setItem('earshot:test-initialised', '1');
      }
    },
    { token: session.token, settings: opts.settings ?? {} },
  );
  await opts.prepare?.(page);
  await page.goto(opts.baseUrl ?? srv.url);
  await expect(page.getByRole('button', { name: 'New direct message' })).toBeVisible();
  return { name: displayName, session, browser, page, toneHz };
}

/** A guest in a browser of its own: no account and no stored session, only a tone for a microphone. */
export interface GuestParticipant {
  name: string;
  browser: Browser;
  page: Page;
  toneHz: number;
}

/**
 * Open `url` (a guest link) in a fresh browser whose microphone plays `toneHz`, as someone
 * without an account: nothing is stored but the given settings. `name` is what the guest will
 * type into the form; the test does the typing.
 */
export async function openGuest(
  url: string,
  name: string,
  toneHz: number,
  opts: { settings?: Record<string, unknown>; launch?: (wav: string) => Promise<Browser> } = {},
): Promise<GuestParticipant> {
  const wav = await makeTone(toneHz, 30);
  const browser = await (opts.launch ?? launchChromium)(wav);
  const page = await browser.newPage();
  await installAudioProbe(page);
  await page.addInitScript((settings) => {
    for (const [key, value] of Object.entries(settings)) localStorage.setItem(`earshot:setting:${key}`, JSON.stringify(value));
  }, opts.settings ?? {});
  await page.goto(url);
  return { name, browser, page, toneHz };
}

/** Create the direct conversation between two people (through the real server). */
export async function createDirect(srv: Pick<TestServer, 'wsUrl'>, a: Participant, b: Participant): Promise<number> {
  const client = await TestClient.connect(srv.wsUrl, a.session.token);
  const { conversation } = await client.request('conversations.createDirect', { userId: b.session.user.id });
  client.close();
  return conversation.id;
}

/** Create a group chat of `creator` and `members` (through the real server); returns its id. */
export async function createGroup(srv: Pick<TestServer, 'wsUrl'>, creator: Pick<Participant, 'session'>, members: Pick<Participant, 'session'>[], title: string): Promise<number> {
  const client = await TestClient.connect(srv.wsUrl, creator.session.token);
  const { conversation } = await client.request('conversations.createGroup', { title, memberIds: members.map((m) => m.session.user.id) });
  client.close();
  return conversation.id;
}

export async function openConversation(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: new RegExp(name) }).first().click();
  await expect(page.getByRole('main')).toContainText(name);
}

/** The in-call panel of a page (a group or 1-on-1 call). */
export const callPanelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });

/** Press "Join call" in the conversation the page has open and wait until the call panel says Connected. */
export async function joinGroupCall(p: Pick<Participant, 'page'>): Promise<void> {
  await p.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  await expect(callPanelOf(p.page).getByRole('status')).toHaveText('Connected');
}

/**
 * Start a group voice call in the conversation every page has open: `host` presses "Start voice
 * call", then each of `joiners` joins in turn; each waits until its panel says Connected.
 */
export async function startGroupCall(host: Pick<Participant, 'page'>, joiners: Array<Pick<Participant, 'page'>>): Promise<void> {
  await host.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(callPanelOf(host.page).getByRole('status')).toHaveText('Connected');
  for (const p of joiners) await joinGroupCall(p);
}

/** Attach server log and screenshots when a test failed. */
export async function attachOnFailure(testInfo: TestInfo, srv: Pick<TestServer, 'logFile'> | undefined, people: Pick<Participant, 'name' | 'page'>[]): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const p of people) {
    await testInfo.attach(`${p.name}.png`, { body: await p.page.screenshot().catch(() => Buffer.alloc(0)), contentType: 'image/png' });
  }
  if (srv) await testInfo.attach('server.log', { body: readFileSync(srv.logFile), contentType: 'text/plain' });
}

/**
 * The end of every call test: keep screenshots and the server log of a failure, close each
 * person's browser (emptying `people`), and stop the server.
 */
export async function finishCallTest(
  testInfo: TestInfo,
  srv: (Pick<TestServer, 'logFile'> & { stop(): Promise<unknown> }) | undefined,
  people: Array<Pick<Participant, 'name' | 'page' | 'browser'>>,
): Promise<void> {
  await attachOnFailure(testInfo, srv, people);
  for (const p of people.splice(0)) await p.browser.close();
  await srv?.stop();
}
