/**
 * Child process holding the group-call bots (bench/lib/PlainRtpBot.ts), so their libwebrtc threads
 * and their JavaScript run beside, not inside, the process that runs the signaling server and
 * the test. Driven by BotFarm over the IPC channel (botFarmProtocol.ts). Exits when the parent
 * goes away.
 */
import type { FarmMessage, FarmReplies, FarmReply, FarmRequest, JoinOutcome } from './botFarmProtocol.js';
import { tonePackets } from './opusTone.js';
import { PlainRtpBot } from './PlainRtpBot.js';
import { RequestFailed } from '../../tests/helpers/wsClient.js';

const bots: PlainRtpBot[] = [];

async function handle(request: FarmRequest): Promise<FarmReplies[FarmRequest['op']]> {
  switch (request.op) {
    case 'join': {
      const outcomes: JoinOutcome[] = new Array(request.bots.length);
      let next = 0;
      // A few joins at a time, as people trickle in (each join is a handful of requests).
      const lane = async () => {
        for (let i = next++; i < request.bots.length; i = next++) {
          const spec = request.bots[i]!;
          try {
            const bot = await PlainRtpBot.join({ wsUrl: request.wsUrl, ...spec });
            outcomes[i] = { ok: true, index: bots.push(bot) - 1 };
          } catch (error) {
            const code = error instanceof RequestFailed ? error.code : 'BOT_FAILED';
            outcomes[i] = { ok: false, code, message: error instanceof Error ? error.message : String(error) };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, lane));
      return outcomes;
    }
    case 'setTones':
      // Encode every new tone first: encoding while sending would stall the 20 ms clock.
      for (const hz of request.tones) if (hz !== null) tonePackets(hz);
      bots.forEach((b, i) => b.setTone(request.tones[i] ?? null));
      return null;
    case 'consumerCounts':
      return bots.map((b) => b.consumerCount);
    case 'receiveStats':
      return bots.map((b) => b.receiveStats());
    case 'joinTimes':
      return bots.map((b) => (b.firstPacketAt === null ? null : b.firstPacketAt - b.joinSentAt));
    case 'closeAll':
      for (const b of bots.splice(0)) b.close();
      return null;
  }
}

const send = (reply: FarmReply) => process.send?.(reply);

process.on('message', (message: FarmMessage) => {
  handle(message.request).then(
    (result) => send({ id: message.id, ok: true, result }),
    (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on('disconnect', () => {
  for (const b of bots.splice(0)) b.close();
  process.exit(0);
});
