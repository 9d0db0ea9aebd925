import { useAppState, useCalls } from '../app/AppContext.js';
import { lowBandwidthText } from './lowBandwidthText.js';
import { StreamAudio } from './StreamAudio.js';
import { useElapsedMs } from './useElapsedMs.js';

const QUALITY_TEXT = { good: 'Good', fair: 'Fair', poor: 'Poor' } as const;
const PATH_TEXT = { direct: 'Direct connection', relay: 'Relayed (TURN)', unknown: 'Connecting…' } as const;
/** How our own relay reaches TURN: what a support agent asks about on a locked-down network. */
const RELAY_TRANSPORT_TEXT = { udp: 'over UDP', tcp: 'over TCP', tls: 'over TLS' } as const;

/** `mm:ss` for the call timer. */
function timer(ms: number | null): string {
  const total = Math.floor((ms ?? 0) / 1000);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** Outgoing or active 1-on-1 call: who, status, timer, mute, hang up, mic level, quality, path, low-bandwidth mode. */
export function CallPanel() {
  const calls = useCalls();
  const call = useAppState((s) => s.call);
  const remoteStream = useAppState((s) => s.remoteStream);
  const elapsed = timer(useElapsedMs(call?.answeredAt ?? null));
  if (!call || call.phase === 'incoming') return null;
  const active = call.phase === 'active';
  const lowBandwidth = lowBandwidthText(call);
  return (
    <section className="call-panel" aria-label={`Call with ${call.peerName}`}>
      <StreamAudio stream={remoteStream} />
      <div className="call-who">
        <span className="avatar" aria-hidden="true">
          {call.peerName.slice(0, 1).toUpperCase()}
        </span>
        <div>
          <div className="call-peer">{call.peerName}</div>
          <div className="call-status" role="status">
            {call.status}
          </div>
        </div>
      </div>
      {active ? (
        <div className="call-facts">
          <span className="call-timer" aria-label="Call duration">
            {elapsed}
          </span>
          <span>Quality: {call.quality ? QUALITY_TEXT[call.quality] : '—'}</span>
          <span>
            {PATH_TEXT[call.path]}
            {call.path === 'relay' && call.relayTransport ? ` ${RELAY_TRANSPORT_TEXT[call.relayTransport]}` : ''}
          </span>
          {lowBandwidth ? <span className="low-bandwidth">{lowBandwidth}</span> : null}
        </div>
      ) : null}
      <meter className="mic-meter" aria-label="Microphone level" min={0} max={1} value={call.muted ? 0 : call.micLevel} />
      <div className="call-actions">
        <button type="button" aria-pressed={call.muted} onClick={() => calls.toggleMute()}>
          {call.muted ? 'Unmute' : 'Mute'}
        </button>
        {active ? (
          <button type="button" aria-pressed={call.lowBandwidth} title="Opus at 16 kbps in 60 ms packets, for slow connections" onClick={() => calls.setLowBandwidth(!call.lowBandwidth)}>
            Low bandwidth mode
          </button>
        ) : null}
        <button type="button" className="danger" onClick={() => void calls.hangup()}>
          Hang up
        </button>
      </div>
      {call.muted ? <p className="muted">You are muted.</p> : null}
    </section>
  );
}
