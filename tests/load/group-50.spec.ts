/**
 * A full group call: two Chromium participants (fake microphones playing 440 Hz and 1000 Hz)
 * and 48 bots in one call with the cap at 50. The bots (bench/lib/PlainRtpBot.ts, in their own
 * process: bench/lib/BotFarm.ts) are real users on the real signaling server that move their
 * media as plain RTP on loopback: pre-encoded Opus tones out, every other participant's stream
 * in. The Chromium pair must still hear each other's tones with 50 in the call, both while the
 * bots send silence (Opus DTX) and while all 48 send tones of their own; the 51st joiner is
 * refused with ROOM_FULL; every bot is sent the other 49 (its consumers) and the 8 bots that
 * read theirs receive all 49 without loss. CPU of the mediasoup
 * worker, the test process (signaling server) and the bot process is printed and attached.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BotFarm } from '../../bench/lib/BotFarm.js';
import { processCpuPct } from '../../bench/lib/processCpu.js';
import { attachOnFailure, openConversation, openParticipant, type Participant } from '../helpers/callPages.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { register, TestClient } from '../helpers/wsClient.js';

const ALICE_HZ = 440;
const BOB_HZ = 1000;
const CAP = 50;
const BOTS = CAP - 2;
/** Bots that read and count their streams (see PlainRtpBotOptions.listen). */
const LISTENERS = 8;
/** Bot tones: 2100, 2150 … 4450 Hz, well away from the two probed tones. */
const botHz = (i: number) => 2100 + 50 * i;

let srv: TestServer | undefined;
const people: Participant[] = [];
let farm: BotFarm | undefined;

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await attachOnFailure(testInfo, srv, people);
  await farm?.close();
  farm = undefined;
  for (const p of people.splice(0)) await p.browser.close();
  await srv?.stop();
  srv = undefined;
});

const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });
const participantsOf = (page: Page): Locator => panelOf(page).getByRole('list', { name: 'Participants' }).getByRole('listitem');

async function expectHears(p: Participant, expected: number[]): Promise<void> {
  await expect
    .poll(() => tonesHeard(p.page, [ALICE_HZ, BOB_HZ]), { message: `${p.name} hears ${expected.join(' + ')}`, timeout: 60_000 })
    .toEqual(expected);
}

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test(`a call of ${CAP}: two Chromium participants and ${BOTS} bots; the pair still hear each other, the ${CAP + 1}st joiner is refused`, async ({}, testInfo) => {
  srv = await startTestServer({ sfu: true, config: { groupCallCap: CAP, sfuPlainRtp: true } });
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

  // 48 bots join, four at a time, sending silence (DTX) at first.
  farm = await BotFarm.start();
  // 8 bots read and count what they receive; the others' streams go to a port nobody reads (same work for the SFU).
  const specs = botSessions.map((session, i) => ({ session, conversationId: conversation.id, toneHz: null, listen: i < LISTENERS }));
  const joined = await farm.join(srv.wsUrl, specs.slice(0, BOTS), 4);
  expect(joined.filter((o) => !o.ok)).toEqual([]);
  for (const p of people) await expect(participantsOf(p.page)).toHaveCount(CAP, { timeout: 30_000 });
  await expect.poll(async () => new Set(await farm!.consumerCounts()), { message: 'every bot consumes the 49 others', timeout: 30_000 }).toEqual(new Set([CAP - 1]));

  // The 51st is refused.
  const [late] = await farm.join(srv.wsUrl, specs.slice(BOTS), 1);
  expect(late).toMatchObject({ ok: false, code: 'ROOM_FULL' });

  const pids = { worker: srv.sfu!.workerPids[0]!, 'test process (server)': process.pid, bots: farm.pid };
  const report: string[] = [];

  // Bots silent (DTX): the pair hear each other.
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);
  const quiet = await processCpuPct(pids, 10_000);
  report.push(`2 speakers + 48 silent bots (DTX): CPU % of one core ${JSON.stringify(quiet)}`);

  // All 48 bots send tones: everyone unmuted. The pair still hear each other.
  await farm.setTones(Array.from({ length: BOTS }, (_, i) => botHz(i)));
  await new Promise((r) => setTimeout(r, 2000));
  const loud = await processCpuPct(pids, 10_000);
  report.push(`50 speakers (all unmuted, tones): CPU % of one core ${JSON.stringify(loud)}`);
  await expectHears(alice, [BOB_HZ]);
  await expectHears(bob, [ALICE_HZ]);

  const rx = (await farm.receiveStats()).filter((r) => r.listening);
  const lost = rx.reduce((s, r) => s + r.packetsLost, 0);
  const got = rx.reduce((s, r) => s + r.packetsReceived, 0);
  report.push(`listening bots received ${got} packets from ${rx.reduce((s, r) => s + r.streams, 0)} streams, lost ${lost} (${((100 * lost) / Math.max(1, got + lost)).toFixed(3)} %)`);
  console.log(report.join('\n'));
  await testInfo.attach('cpu.txt', { body: report.join('\n'), contentType: 'text/plain' });
  // Every listening bot heard all 49 others (the two Chromium participants included).
  expect(rx.map((r) => r.streams)).toEqual(Array.from({ length: LISTENERS }, () => CAP - 1));
  expect(lost).toBe(0);
});
