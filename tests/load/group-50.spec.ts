/**
 * A full group call: two Chromium participants (fake microphones playing 440 Hz and 1000 Hz)
 * and 48 Node bots (bench/lib/groupBot.ts: real users through the real signaling server, media
 * through mediasoup-client on @roamhq/wrtc) in one call with the cap at 50. The Chromium pair
 * must still hear each other's tones with 50 in the call, both while the bots send silence
 * (Opus DTX) and while all 48 send tones of their own; the 51st joiner is refused with
 * ROOM_FULL. CPU of the mediasoup worker and of this process (signaling server + bots) is
 * printed and attached.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { GroupBot } from '../../bench/lib/groupBot.js';
import { processCpuPct } from '../../bench/lib/processCpu.js';
import { attachOnFailure, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { register, RequestFailed, TestClient } from '../helpers/wsClient.js';

const ALICE_HZ = 440;
const BOB_HZ = 1000;
const CAP = 50;
const BOTS = CAP - 2;
/** Bot tones: 2100, 2150 … 4450 Hz, well away from the two probed tones. */
const botHz = (i: number) => 2100 + 50 * i;

let srv: TestServer | undefined;
const people: Participant[] = [];
const bots: GroupBot[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await attachOnFailure(testInfo, srv, people);
  for (const b of bots.splice(0)) b.close();
  for (const p of people.splice(0)) await p.browser.close();
  await srv?.stop();
  srv = undefined;
});

const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });
const participantsOf = (page: Page): Locator => panelOf(page).getByRole('list', { name: 'Participants' }).getByRole('listitem');

async function expectHears(p: Participant, expected: number[]): Promise<void> {
  await expect
    .poll(() => tonesHeard(p.page, [ALICE_HZ, BOB_HZ]), { message: `${p.name} hears ${expected.join(' + ')}`, timeout: 30_000 })
    .toEqual(expected);
}

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test(`a call of ${CAP}: two Chromium participants and ${BOTS} bots; the pair still hear each other, the ${CAP + 1}st joiner is refused`, async ({}, testInfo) => {
  srv = await startTestServer({ sfu: true, config: { groupCallCap: CAP } });
  const settings = { noiseSuppression: false, autoGainControl: false };
  const alice = await openParticipant(srv, 'alice', 'Alice', ALICE_HZ, { settings });
  const bob = await openParticipant(srv, 'bob', 'Bob', BOB_HZ, { settings });
  people.push(alice, bob);
  const botSessions = [];
  for (let i = 0; i <= BOTS; i++) botSessions.push(await register(srv.url, `bot${i}`, `Bot ${i}`));

  const admin = await TestClient.connect(srv.wsUrl, alice.session.token);
  const { conversation } = await admin.request('conversations.createGroup', {
    title: 'Crowd',
    memberIds: [bob.session.user.id, ...botSessions.map((s) => s.user.id)],
  });
  admin.close();
  for (const p of people) await openConversation(p.page, 'Crowd');

  await alice.page.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(alice.page).getByRole('status')).toHaveText('Connected');
  await bob.page.getByRole('main').getByRole('button', { name: 'Join call' }).click();
  await expect(panelOf(bob.page).getByRole('status')).toHaveText('Connected');

  // 48 bots join one after the other, sending silence (DTX) at first.
  for (let i = 0; i < BOTS; i++) {
    bots.push(await GroupBot.join({ wsUrl: srv.wsUrl, session: botSessions[i]!, conversationId: conversation.id, toneHz: null }));
  }
  for (const p of people) await expect(participantsOf(p.page)).toHaveCount(CAP, { timeout: 30_000 });
  await expect.poll(() => bots.every((b) => b.consumerCount === CAP - 1), { message: 'every bot consumes the 49 others', timeout: 30_000 }).toBe(true);

  // The 51st is refused.
  const late = GroupBot.join({ wsUrl: srv.wsUrl, session: botSessions[BOTS]!, conversationId: conversation.id, toneHz: null });
  const error = await late.then(
    (bot) => {
      bots.push(bot);
      return null;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestFailed);
  expect((error as RequestFailed).code).toBe('ROOM_FULL');

  const pids = { worker: srv.sfu!.workerPids[0]!, 'test process (server + bots)': process.pid };
  const report: string[] = [];

  // Bots silent (DTX): the pair hear each other.
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);
  const quiet = await processCpuPct(pids, 10_000);
  report.push(`2 speakers + 48 silent bots (DTX): CPU % of one core ${JSON.stringify(quiet)}`);

  // All 48 bots send tones: everyone unmuted. The pair still hear each other.
  bots.forEach((b, i) => b.setTone(botHz(i)));
  await new Promise((r) => setTimeout(r, 2000));
  const loud = await processCpuPct(pids, 10_000);
  report.push(`50 speakers (all unmuted, tones): CPU % of one core ${JSON.stringify(loud)}`);
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);

  const rx = await Promise.all(bots.map((b) => b.receiveStats()));
  const lost = rx.reduce((s, r) => s + r.packetsLost, 0);
  const got = rx.reduce((s, r) => s + r.packetsReceived, 0);
  report.push(`bots received ${got} packets, lost ${lost} (${((100 * lost) / Math.max(1, got + lost)).toFixed(3)} %)`);
  console.log(report.join('\n'));
  await testInfo.attach('cpu.txt', { body: report.join('\n'), contentType: 'text/plain' });
});
