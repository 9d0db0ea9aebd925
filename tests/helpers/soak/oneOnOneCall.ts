import { expect, type Page } from '@playwright/test';
import { opusStats, remotePeak } from '../audioProbe.js';
import { openConversation, type Participant } from '../callPages.js';

/** FFT bin width at 48 kHz with fftSize 8192 is ~5.9 Hz; allow a couple of bins. */
const TOLERANCE_HZ = 15;
/** Every step of a call may take this long on a busy 2-core machine, ms. */
const STEP_TIMEOUT_MS = 30_000;

/** What one successful call measured. */
export interface CallResult {
  /** Call clicked → both ends show Connected, ms (reported, not asserted). */
  connectMs: number;
  /** Outgoing Opus bitrate of caller and callee over 2 s, kbit/s. */
  sendKbps: [number, number];
}

const callPanel = (page: Page, other: string) => page.getByRole('region', { name: `Call with ${other}` });

/**
 * One complete 1-on-1 call between two open pages, through the UI: the caller (already on the
 * direct conversation) clicks Call, the callee accepts the ring, both reach Connected, each hears
 * the other's tone (FFT) and sends Opus (getStats), and the caller hangs up, which closes both
 * call panels. Throws, naming the step, on any deviation.
 */
export async function oneOnOneCall(caller: Participant, callee: Participant): Promise<CallResult> {
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new Error(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  };
  const started = performance.now();
  await step('call', () => caller.page.getByRole('button', { name: 'Call', exact: true }).click({ timeout: STEP_TIMEOUT_MS }));
  await step('ring', () =>
    callee.page.getByRole('alertdialog', { name: `Incoming call from ${caller.name}` }).getByRole('button', { name: 'Accept' }).click({ timeout: STEP_TIMEOUT_MS }),
  );
  await step('connect', async () => {
    await expect(callPanel(caller.page, callee.name).getByRole('status')).toHaveText('Connected', { timeout: STEP_TIMEOUT_MS });
    await expect(callPanel(callee.page, caller.name).getByRole('status')).toHaveText('Connected', { timeout: STEP_TIMEOUT_MS });
  });
  const connectMs = Math.round(performance.now() - started);
  for (const [listener, speaker] of [
    [caller, callee],
    [callee, caller],
  ] as const) {
    await step(`${listener.name} hears ${speaker.toneHz} Hz`, () =>
      expect.poll(async () => Math.abs((await remotePeak(listener.page)).hz - speaker.toneHz), { timeout: STEP_TIMEOUT_MS }).toBeLessThan(TOLERANCE_HZ),
    );
  }
  const stats = await step('opus', () => Promise.all([opusStats(caller.page), opusStats(callee.page)]));
  for (const [i, s] of stats.entries()) {
    // Opus at ~32 kbps each way; 8 kbps would already be far below a working call.
    if (s.codec !== 'audio/opus' || s.sendKbps < 8 || s.recvPackets === 0) {
      throw new Error(`opus: ${[caller, callee][i]!.name} ${JSON.stringify(s)}`);
    }
  }
  await step('hang up', async () => {
    await callPanel(caller.page, callee.name).getByRole('button', { name: 'Hang up' }).click({ timeout: STEP_TIMEOUT_MS });
    await expect(callPanel(caller.page, callee.name)).toBeHidden({ timeout: STEP_TIMEOUT_MS });
    await expect(callPanel(callee.page, caller.name)).toBeHidden({ timeout: STEP_TIMEOUT_MS });
  });
  return { connectMs, sendKbps: [Math.round(stats[0].sendKbps * 10) / 10, Math.round(stats[1].sendKbps * 10) / 10] };
}

/**
 * After a failed call: end whatever is left of it on both pages (hang up, decline), and if that
 * does not work, reload both pages; then put the caller back on the direct conversation.
 */
export async function recoverCallPages(caller: Participant, callee: Participant): Promise<void> {
  const tidy = async (p: Participant, other: Participant) => {
    const hangUp = callPanel(p.page, other.name).getByRole('button', { name: 'Hang up' });
    if (await hangUp.isVisible()) await hangUp.click();
    const decline = p.page.getByRole('alertdialog').getByRole('button', { name: 'Decline' });
    if (await decline.isVisible()) await decline.click();
    await expect(callPanel(p.page, other.name)).toBeHidden({ timeout: STEP_TIMEOUT_MS });
  };
  try {
    await tidy(caller, callee);
    await tidy(callee, caller);
  } catch {
    for (const p of [caller, callee]) {
      await p.page.reload();
      await expect(p.page.getByRole('button', { name: 'New direct message' })).toBeVisible({ timeout: STEP_TIMEOUT_MS });
    }
    await openConversation(caller.page, callee.name);
  }
}
