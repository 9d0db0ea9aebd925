import { useAppState } from '../app/AppContext.js';

/** "Reconnecting…" while the socket is down; nothing while connected. */
export function ConnectionBanner() {
  const connection = useAppState((s) => s.connection);
  if (connection !== 'reconnecting' && connection !== 'connecting') return null;
  return (
    <div role="status" className="connection-banner">
      {connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
    </div>
  );
}
