import type { PresenceStatus } from '../../common/protocol/index.js';
import { PRESENCE_LABELS } from '../store/presenceSlice.js';

/** A coloured dot plus the status as text (colour is never the only signal). */
export function PresenceText({ status, className }: { status: PresenceStatus; className?: string }) {
  return (
    <span className={`presence presence-${status}${className ? ` ${className}` : ''}`}>
      <span className="presence-dot" aria-hidden="true" />
      {PRESENCE_LABELS[status]}
    </span>
  );
}
