import type { LowBandwidthReason } from '../call/LowBandwidthPolicy.js';

/**
 * What a call panel says about low-bandwidth mode (STYLE.md §14: state is visible as text);
 * null while it is off. `peerName`: a 1-on-1 call whose other side asked for it (both
 * directions then go at the low rate, whatever our own mode is).
 */
export function lowBandwidthText(state: { lowBandwidth: boolean; lowBandwidthReason: LowBandwidthReason | null; peerLowBandwidth?: boolean; peerName?: string }): string | null {
  if (state.lowBandwidth) return state.lowBandwidthReason === 'auto' ? 'Low bandwidth: on (poor connection)' : 'Low bandwidth: on';
  return state.peerLowBandwidth ? `Low bandwidth: on (asked by ${state.peerName ?? 'the other side'})` : null;
}
