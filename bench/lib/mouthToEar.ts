import type { ProbeMark } from './pageProbe.js';

/**
 * Pair each click heard in the receiver's page (`click:remote`, at or after `from`) with the
 * latest click the sender's microphone captured (`click:local`) less than `windowMs` before it;
 * the delays, ms. Both pages' marks are on the wall clock (performance.timeOrigin based).
 */
export function mouthToEar(sent: ProbeMark[], heard: ProbeMark[], opts: { from?: number; windowMs: number }): number[] {
  const sentTimes = sent.filter((m) => m.name === 'click:local').map((m) => m.t);
  const out: number[] = [];
  for (const h of heard) {
    if (h.name !== 'click:remote' || h.t < (opts.from ?? -Infinity)) continue;
    const origin = sentTimes.filter((t) => t < h.t && h.t - t < opts.windowMs).pop();
    if (origin !== undefined) out.push(h.t - origin);
  }
  return out;
}
