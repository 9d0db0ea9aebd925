import type { Figure, Target } from '../BenchmarkTypes.js';

/** A figure held against its target. */
export interface Verdict {
  met: boolean;
  /** How far outside the target the figure is, in its unit (0 when met). */
  missedBy: number;
}

export function judgeTarget(figure: Figure, target: Target): Verdict {
  const below = target.min !== undefined && figure.value < target.min ? target.min - figure.value : 0;
  const above = target.max !== undefined && figure.value > target.max ? figure.value - target.max : 0;
  const missedBy = Math.round(Math.max(below, above) * 10) / 10;
  return { met: below === 0 && above === 0, missedBy };
}

/** `≤ 50 ms`, `≥ 24 kbps`, `24–40 kbps`. */
export function describeTarget(target: Target, unit: string): string {
  if (target.min !== undefined && target.max !== undefined) return `${target.min}–${target.max} ${unit}`;
  if (target.max !== undefined) return `≤ ${target.max} ${unit}`;
  if (target.min !== undefined) return `≥ ${target.min} ${unit}`;
  return '';
}
