import { expect, type Locator, type Page } from '@playwright/test';
import { PlainRtpBot } from '../../../bench/lib/PlainRtpBot.js';
import type { SessionResponse } from '../../../common/protocol/index.js';

/** Each step may take this long on a busy 2-core machine, ms. */
const STEP_TIMEOUT_MS = 20_000;

/** The participant rows of a page's group-call panel. */
export const participantsOf = (page: Page): Locator =>
  page.getByRole('region', { name: 'Voice call' }).getByRole('list', { name: 'Participants' }).getByRole('listitem');

/**
 * One join and leave of an extra participant in a running group call, so the SFU and the pages
 * create and close a transport, a producer and consumers again and again over the soak: a
 * plain-RTP bot (bench/lib/PlainRtpBot.ts, in this process) joins, must receive audio from each
 * of the `others` already in the call and show up on every watching page, then leaves, and the
 * pages show the call as it was. It sends silence (Opus DTX): a sixth tone in the mix would raise
 * the noise floor the others' tones are measured against (groupAudioProbe.ts) while it is in.
 * Throws, naming the step, on any deviation.
 */
export async function joinAndLeave(opts: {
  wsUrl: string;
  session: SessionResponse;
  conversationId: number;
  /** Participants in the call before the bot joins. */
  others: number;
  /** Pages in the call whose participant list must grow by one and shrink back. */
  pages: Page[];
}): Promise<void> {
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new Error(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  };
  const bot = await step('join', () => PlainRtpBot.join({ wsUrl: opts.wsUrl, session: opts.session, conversationId: opts.conversationId, toneHz: null }));
  try {
    await step(`receive audio from all ${opts.others}`, () =>
      expect
        .poll(() => {
          const s = bot.receiveStats();
          return s.streams === opts.others && s.packetsReceived > 0 ? 'receiving' : JSON.stringify(s);
        }, { timeout: STEP_TIMEOUT_MS })
        .toBe('receiving'),
    );
    for (const page of opts.pages) await step('shown as joined', () => expect(participantsOf(page)).toHaveCount(opts.others + 1, { timeout: STEP_TIMEOUT_MS }));
    await step('leave', () => bot.client.request('group.leave', { callId: bot.callId }));
  } finally {
    bot.close();
  }
  for (const page of opts.pages) await step('shown as left', () => expect(participantsOf(page)).toHaveCount(opts.others, { timeout: STEP_TIMEOUT_MS }));
}
