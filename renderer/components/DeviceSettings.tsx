import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { AudioDevice } from '../../common/bridge.js';
import { useAppState, useDevices } from '../app/AppContext.js';
import { getBridge } from '../bridge/getBridge.js';
import { MicLevelMeter } from '../call/MicLevelMeter.js';
import { openMicrophone } from '../call/openMicrophone.js';
import { Ringer } from '../call/Ringer.js';
import { ROLE_KIND, isPseudoDevice, type DeviceRole } from '../devices/deviceTypes.js';
import { playTestSound } from '../devices/playTestSound.js';
import { describeError } from '../lib/describeError.js';

const ROLE_LABEL: Record<DeviceRole, string> = { microphone: 'Microphone', speaker: 'Speaker', ringDevice: 'Ring device' };
const DEFAULT_LABEL: Record<DeviceRole, string> = {
  microphone: 'System default',
  speaker: 'System default',
  ringDevice: 'Same as speaker',
};

/** One device choice: "System default" plus every connected device of the role's kind. */
function DeviceSelect({ role }: { role: DeviceRole }) {
  const devices = useDevices();
  const all = useAppState((s) => s.audioDevices);
  const chosen = useAppState((s) => s.chosenDevices[role]);
  const missing = useAppState((s) => s.missingDevices[role]);
  const id = useId();
  const options = useMemo(() => all.filter((d) => d.kind === ROLE_KIND[role] && !isPseudoDevice(d)), [all, role]);
  const name = (d: AudioDevice, i: number) => d.label || `${ROLE_LABEL[role]} ${i + 1}`;
  return (
    <div className="device-row">
      <label htmlFor={id}>{ROLE_LABEL[role]}</label>
      <select
        id={id}
        value={chosen?.id ?? ''}
        onChange={(e) => {
          const picked = options.find((d) => d.deviceId === e.target.value);
          void devices.choose(role, picked ? { id: picked.deviceId, label: picked.label } : null);
        }}
      >
        <option value="">{DEFAULT_LABEL[role]}</option>
        {options.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {name(d, i)}
          </option>
        ))}
        {chosen && missing ? <option value={chosen.id}>{`${chosen.label} (not connected)`}</option> : null}
      </select>
    </div>
  );
}

/** Open the chosen microphone with the call settings and show its level, until stopped. */
function MicrophoneTest() {
  const devices = useDevices();
  const microphoneId = useAppState((s) => s.activeDevices.microphone);
  const [level, setLevel] = useState(0);
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const meter = useRef<MicLevelMeter | null>(null);

  useEffect(() => {
    if (!testing) return;
    let stream: MediaStream | null = null;
    let stopped = false;
    const levels = new MicLevelMeter(setLevel);
    meter.current = levels;
    openMicrophone({ bridge: getBridge(), ...(microphoneId ? { deviceId: microphoneId } : {}) }).then(
      (opened) => {
        if (stopped) {
          opened.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = opened;
        levels.start(opened);
        // The first microphone use may have unlocked device names.
        void devices.refresh();
      },
      (e: unknown) => {
        setError(`Cannot use the microphone: ${describeError(e)}`);
        setTesting(false);
      },
    );
    return () => {
      stopped = true;
      levels.stop();
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [testing, microphoneId, devices]);

  return (
    <div className="device-test">
      <button
        type="button"
        onClick={() => {
          setError(null);
          setTesting((t) => !t);
        }}
      >
        {testing ? 'Stop microphone test' : 'Test microphone'}
      </button>
      <meter aria-label="Microphone test level" min={0} max={1} value={testing ? level : 0} />
      {error ? (
        <span role="alert" className="error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** "Play test sound" on the speaker and "Play test ringtone" on the ring device. */
function OutputTests() {
  const active = useAppState((s) => s.activeDevices);
  const ringVolume = useAppState((s) => s.ringVolume);
  const [playing, setPlaying] = useState<'speaker' | 'ring' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const testSpeaker = () => {
    setPlaying('speaker');
    setError(null);
    playTestSound(active.speaker)
      .catch((e: unknown) => setError(`Cannot play on that speaker: ${describeError(e)}`))
      .finally(() => setPlaying(null));
  };
  const testRing = () => {
    setPlaying('ring');
    setError(null);
    const ringer = new Ringer({ output: () => ({ sinkId: active.ringDevice, volume: ringVolume }) });
    ringer.start('ringtone');
    setTimeout(() => {
      ringer.stop();
      setPlaying(null);
    }, 1500);
  };
  return (
    <div className="device-test">
      <button type="button" disabled={playing !== null} onClick={testSpeaker}>
        {playing === 'speaker' ? 'Playing…' : 'Play test sound'}
      </button>
      <button type="button" disabled={playing !== null} onClick={testRing}>
        {playing === 'ring' ? 'Ringing…' : 'Play test ringtone'}
      </button>
      {error ? (
        <span role="alert" className="error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Microphone, speaker and ring device, ring volume, and the microphone and speaker tests. */
export function DeviceSettings() {
  const devices = useDevices();
  const ringVolume = useAppState((s) => s.ringVolume);
  return (
    <fieldset className="settings">
      <legend>Audio devices</legend>
      <DeviceSelect role="microphone" />
      <MicrophoneTest />
      <DeviceSelect role="speaker" />
      <DeviceSelect role="ringDevice" />
      <div className="device-row">
        <label htmlFor="ring-volume">Ring volume</label>
        <input
          id="ring-volume"
          type="range"
          min={0}
          max={100}
          step={5}
          value={Math.round(ringVolume * 100)}
          aria-valuetext={`${Math.round(ringVolume * 100)}%`}
          onChange={(e) => void devices.setRingVolume(Number(e.target.value) / 100)}
        />
      </div>
      <OutputTests />
    </fieldset>
  );
}
