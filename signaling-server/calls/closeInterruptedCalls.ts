import type { ChatService } from '../ChatService.js';
import type { Clock } from '../Clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/Store.js';

/** The history outcome of a call the server stopped under (see `closeInterruptedCalls`). */
export const INTERRUPTED_OUTCOME = 'interrupted';

/**
 * Close the call history rows that are still open because the server stopped while their
 * calls rang or ran: a crash or kill -9 (closed at the next start), or a graceful shutdown
 * (closed on the way down). Call state lives in memory only, so such a call is over for the
 * server: clients that reconnect get CALL_NOT_FOUND from `call.rejoin` and end it. Each row
 * gets outcome `interrupted`, ends now, every participant who had joined leaves now, and its
 * conversation gets a system message saying why.
 *
 * Talk time runs up to now: exact for a shutdown; after a crash an upper bound, which counts
 * the time the server was down (1-on-1 media is peer to peer and may well have continued until
 * the clients reconnected, so nothing better is known).
 *
 * A failure (e.g. the disk is full) is logged and leaves the rows open for the next attempt;
 * it never stops the server from starting. Returns how many calls were closed.
 */
export async function closeInterruptedCalls(o: { store: Store; chat: ChatService; clock: Clock; logger: Logger }): Promise<number> {
  const log = o.logger.child({ module: 'calls' });
  let closed = 0;
  try {
    for (const call of await o.store.listOpenCalls()) {
      const now = o.clock.now();
      const durationMs = call.answeredAt === null ? 0 : Math.max(0, now - call.answeredAt);
      await o.store.endCall(call.callId, now, INTERRUPTED_OUTCOME, durationMs);
      await o.chat.postSystemMessage(call.conversationId, 'Voice call interrupted: the server restarted');
      log.warn({ call: call.callId, kind: call.kind, startedAt: call.startedAt }, 'closed a call the server stopped under');
      closed++;
    }
  } catch (error) {
    log.error({ err: error }, 'could not close interrupted calls; they stay open until the next start');
  }
  return closed;
}
