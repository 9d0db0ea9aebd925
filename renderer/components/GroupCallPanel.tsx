import { useEffect, useId, useState } from 'react';
import { formatDuration } from '../../common/formatDuration.js';
import type { GroupParticipant } from '../../common/protocol/index.js';
import { useAppState, useGroupCalls } from '../app/AppContext.js';
import { conversationName } from '../store/conversationsSlice.js';
import { isGroupHost, myParticipant } from '../store/groupCallSlice.js';
import { lowBandwidthText } from './lowBandwidthText.js';
import { StreamAudio } from './StreamAudio.js';
import { useElapsedMs } from './useElapsedMs.js';

const formatElapsed = (ms: number | null) => formatDuration(ms ?? 0);

/** Pick the microphone mid-call; shown only when there is more than one to choose from. */
function MicrophoneSelect({ value, onChange }: { value: string; onChange: (deviceId: string) => void }) {
  const [inputs, setInputs] = useState<MediaDeviceInfo[]>([]);
  const id = useId();
  useEffect(() => {
    const devices = navigator.mediaDevices;
    if (!devices?.enumerateDevices) return;
    let live = true;
    const load = () =>
      void devices.enumerateDevices().then(
        (all) => live && setInputs(all.filter((d) => d.kind === 'audioinput' && d.deviceId)),
        () => undefined,
      );
    load();
    devices.addEventListener('devicechange', load);
    return () => {
      live = false;
      devices.removeEventListener('devicechange', load);
    };
  }, []);
  if (inputs.length < 2) return null;
  return (
    <span className="mic-select">
      <label htmlFor={id}>Microphone</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {value === '' ? <option value="">Default</option> : null}
        {inputs.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `Microphone ${i + 1}`}
          </option>
        ))}
      </select>
    </span>
  );
}

function ParticipantRow(props: { participant: GroupParticipant; isMe: boolean; speaking: boolean; canModerate: boolean }) {
  const { participant: p, isMe, speaking, canModerate } = props;
  const groupCalls = useGroupCalls();
  const state = p.mutedByHost ? 'Muted by host' : p.muted ? 'Muted' : null;
  return (
    <li className={`participant${speaking ? ' speaking' : ''}`}>
      <span className="participant-name">
        {p.displayName}
        {isMe ? ' (you)' : ''}
        {p.guest ? ' (guest)' : ''}
      </span>
      {p.host ? <span className="participant-host">(host)</span> : null}
      {state ? <span className="participant-state">{state}</span> : null}
      {speaking ? <span className="participant-speaking">Speaking</span> : null}
      {canModerate && !isMe ? (
        <span className="participant-actions">
          {!p.mutedByHost ? (
            <button type="button" className="ghost" onClick={() => void groupCalls.hostMute(p.participantId)}>
              Mute {p.displayName}
            </button>
          ) : null}
          {p.muted ? (
            <button type="button" className="ghost" onClick={() => void groupCalls.askToUnmute(p.participantId)}>
              Ask {p.displayName} to unmute
            </button>
          ) : null}
        </span>
      ) : null}
    </li>
  );
}

export interface GroupCallPanelProps {
  /** Heading; default the conversation's name (the guest page passes the room's title). */
  title?: string;
  /** `Leave call`; default the group call engine's leave (the guest page also notes that I left). */
  onLeave?: () => void;
  /**
   * A microphone picked in the panel; default: switch the call to it. The member app saves it as
   * the microphone choice too (which moves the call over the same way).
   */
  onChooseMicrophone?: (deviceId: string) => void;
}

/**
 * The group call I am in: where, status, duration, who is in it (host, muted, speaking), my
 * mute and leave, and for the host: mute one, mute all, ask to unmute. Plays one <audio> per
 * other participant. Used by the member app and the guest page alike.
 */
export function GroupCallPanel(props: GroupCallPanelProps) {
  const groupCalls = useGroupCalls();
  const view = useAppState((s) => s.groupCall);
  const conversation = useAppState((s) => (s.groupCall ? s.conversations[s.groupCall.conversationId] : undefined));
  const myId = useAppState((s) => s.me?.id);
  const speakers = useAppState((s) => s.speakers);
  const remoteStreams = useAppState((s) => s.remoteStreams);
  const elapsed = formatElapsed(useElapsedMs(view?.phase === 'connected' ? view.startedAt : null));
  if (!view) return null;
  // Guests may not moderate (the server refuses), even when hosting passes down to one.
  const host = isGroupHost(view) && !myParticipant(view)?.guest;
  const title = props.title ?? (conversation ? conversationName(conversation, myId) : 'Voice call');
  const leave = props.onLeave ?? (() => void groupCalls.leave());
  const chooseMicrophone = props.onChooseMicrophone ?? ((deviceId: string) => void groupCalls.switchMicrophone(deviceId));
  const lowBandwidth = lowBandwidthText(view);
  return (
    <section className="call-panel group-call-panel" aria-label="Voice call">
      {Object.entries(remoteStreams).map(([participantId, stream]) => (
        <StreamAudio key={participantId} stream={stream} />
      ))}
      <div className="call-who">
        <div>
          <div className="call-peer">{title}</div>
          <div className="call-status" role="status">
            {view.status}
          </div>
        </div>
      </div>
      {view.phase === 'connected' ? (
        <div className="call-facts">
          <span className="call-timer" aria-label="Call duration">
            {elapsed}
          </span>
          {lowBandwidth ? <span className="low-bandwidth">{lowBandwidth} · only active speakers are heard</span> : null}
        </div>
      ) : null}
      <ul className="participants" aria-label="Participants">
        {view.participants.map((p) => (
          <ParticipantRow
            key={p.participantId}
            participant={p}
            isMe={p.participantId === view.participantId}
            speaking={speakers.includes(p.participantId)}
            canModerate={host}
          />
        ))}
      </ul>
      <div className="call-actions">
        <MicrophoneSelect value={view.microphoneId} onChange={chooseMicrophone} />
        <button type="button" aria-pressed={view.muted} onClick={() => void groupCalls.toggleMute()}>
          {view.muted ? 'Unmute' : 'Mute'}
        </button>
        <button type="button" aria-pressed={view.lowBandwidth} title="Less audio data: 16 kbps, and only the active speakers are received" onClick={() => groupCalls.setLowBandwidth(!view.lowBandwidth)}>
          Low bandwidth mode
        </button>
        {host ? (
          <button type="button" onClick={() => void groupCalls.hostMuteAll()}>
            Mute all
          </button>
        ) : null}
        <button type="button" className="danger" onClick={leave}>
          Leave call
        </button>
      </div>
      {view.mutedByHost ? <p className="muted">The host muted you.</p> : view.muted ? <p className="muted">You are muted.</p> : null}
    </section>
  );
}
