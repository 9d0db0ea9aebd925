/** Connection quality shown in the call UI. */
export type CallQuality = 'good' | 'fair' | 'poor';

/** Inputs from getStats(): round-trip time (ms), packet loss (fraction 0–1), jitter (ms). */
export interface QualityInputs {
  rttMs: number | null;
  lossFraction: number;
  jitterMs: number | null;
}

/**
 * Classify a sample. Thresholds follow the usual VoIP guidance (ITU-T G.114: one-way delay
 * above ~150 ms degrades conversation; Opus with FEC masks a few percent of loss).
 */
export function classifyQuality({ rttMs, lossFraction, jitterMs }: QualityInputs): CallQuality {
  const rtt = rttMs ?? 0;
  const jitter = jitterMs ?? 0;
  if (rtt > 500 || lossFraction > 0.08 || jitter > 60) return 'poor';
  if (rtt > 300 || lossFraction > 0.02 || jitter > 30) return 'fair';
  return 'good';
}
