import type { Logger } from '../logger.js';

/**
 * Write call history (and a call's system message) without letting a storage failure stop
 * the call: the history is a record of calls, not a condition for them, so a full or
 * read-only disk must not keep people from calling, and a write that fails half-way through
 * an action must not leave the call's state half-changed. Nor may the error escape from a
 * timer, where an unhandled rejection would end the process. The failure is logged; a row
 * left open by it is closed as `interrupted` at the next start (`closeInterruptedCalls`).
 */
export async function recordCallHistory(logger: Logger, callId: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    logger.error({ err: error, call: callId }, 'could not record call history');
  }
}
