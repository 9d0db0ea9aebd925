import { useEffect, useId, useState } from 'react';
import { parseSetting, type HostingInfo, type Settings } from '../../common/bridge.js';
import { getBridge } from '../bridge/getBridge.js';
import { describeError } from '../lib/describeError.js';
import { ConnectionTest } from './ConnectionTest.js';
import { DeviceSettings } from './DeviceSettings.js';
import { Dialog } from './Dialog.js';
import { LowBandwidthSelect } from './LowBandwidthSelect.js';

type Toggle = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl' | 'opusDtx' | 'turnOnly' | 'messageNotifications';
type DesktopToggle = 'closeToTray' | 'startAtLogin' | 'hostOnThisComputer';
type TextSetting = 'muteShortcut' | 'serverUrl';

const TOGGLES: Array<{ key: Toggle; label: string; hint: string }> = [
  { key: 'echoCancellation', label: 'Echo cancellation', hint: 'Keeps your speakers out of your microphone.' },
  { key: 'noiseSuppression', label: 'Noise suppression', hint: 'Filters steady background noise.' },
  { key: 'autoGainControl', label: 'Automatic gain', hint: 'Evens out your volume.' },
  { key: 'opusDtx', label: 'Save bandwidth in silence (DTX)', hint: 'Sends almost nothing while you are quiet.' },
  { key: 'turnOnly', label: 'Relay calls through the server (TURN only)', hint: 'For restrictive networks; also hides your IP address from the other person.' },
  { key: 'messageNotifications', label: 'Message notifications', hint: 'Show a notification for new messages.' },
];

const DESKTOP_TOGGLES: Array<{ key: DesktopToggle; label: string; hint: string }> = [
  { key: 'closeToTray', label: 'Close to tray', hint: 'Closing the window keeps Earshot running in the tray, so calls still ring.' },
  { key: 'startAtLogin', label: 'Start at login', hint: 'Start Earshot when you log in to this computer.' },
  { key: 'hostOnThisComputer', label: 'Host on this computer', hint: 'Run an Earshot server in the app for people on the same network.' },
];

const TEXT_SETTINGS: Array<{ key: TextSetting; label: string; hint: string; placeholder: string }> = [
  { key: 'muteShortcut', label: 'Mute shortcut', hint: 'Works while Earshot is in the background. Empty: none.', placeholder: 'CommandOrControl+Shift+M' },
  { key: 'serverUrl', label: 'Server address', hint: 'Used from the next start. Empty: the server this app came from.', placeholder: 'https://earshot.example.com' },
];

type Values = Partial<Pick<Settings, Toggle | DesktopToggle | TextSetting>>;

function Checkbox(props: { label: string; hint: string; checked: boolean; onChange: (value: boolean) => void }) {
  return (
    <label className="toggle">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      <span>
        {props.label}
        <small className="hint">{props.hint}</small>
      </span>
    </label>
  );
}

/** A text setting, saved when it loses focus or on Enter; refused values say why and stay unsaved. */
function TextField(props: { setting: (typeof TEXT_SETTINGS)[number]; value: string; onSave: (value: string) => Promise<void>; lockedBecause?: string | null }) {
  const { setting } = props;
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(props.value), [props.value]);
  const save = () => {
    if (draft === props.value) return;
    props.onSave(draft.trim()).then(
      () => setError(null),
      (e: unknown) => setError(describeError(e)),
    );
  };
  return (
    <div className="device-row">
      <label htmlFor={id}>{setting.label}</label>
      <input
        id={id}
        type="text"
        value={draft}
        placeholder={setting.placeholder}
        disabled={Boolean(props.lockedBecause)}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => e.key === 'Enter' && save()}
      />
      <small id={`${id}-hint`} className="hint">
        {props.lockedBecause ?? error ?? setting.hint}
      </small>
    </div>
  );
}

/**
 * While this app hosts the server: the addresses others open, and the certificate fingerprint
 * they check when their browser (or Earshot app) warns that no authority vouches for it.
 */
function HostingDetails({ info }: { info: HostingInfo | null }) {
  if (!info) return null;
  return (
    <section className="hosting" aria-label="Hosted on this computer">
      {info.lanUrls.length > 0 ? (
        <p>
          Others on your network open{' '}
          {info.lanUrls.map((url, i) => (
            <span key={url}>
              {i > 0 ? ' or ' : ''}
              <code>{url}</code>
            </span>
          ))}
          .
        </p>
      ) : (
        <p>This computer has no network address others can reach; only this app can use the server.</p>
      )}
      <p className="hint">
        The server’s certificate was made by this app, so their browser warns about it. They should go on only if it shows this SHA-256
        fingerprint:
      </p>
      <code className="fingerprint" aria-label="Certificate fingerprint">
        {info.fingerprint}
      </code>
    </section>
  );
}

/**
 * Settings: audio devices (with microphone and speaker tests), audio processing, network and
 * notifications, and — in the desktop app — tray, login, shortcut, server and hosting. Device
 * choices apply at once (also mid-call); processing switches apply to the next call.
 */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const bridge = getBridge();
  const desktop = bridge.platform === 'electron';
  const [values, setValues] = useState<Values>({});
  const [hosting, setHosting] = useState<HostingInfo | null>(null);
  useEffect(() => {
    if (!desktop) return;
    let live = true;
    bridge.hostingInfo().then(
      (info) => live && setHosting(info),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [bridge, desktop]);
  useEffect(() => {
    const keys = [...TOGGLES.map((t) => t.key), ...(desktop ? [...DESKTOP_TOGGLES.map((t) => t.key), ...TEXT_SETTINGS.map((t) => t.key)] : [])];
    void Promise.all(keys.map(async (key) => [key, await bridge.getSetting(key)] as const)).then((pairs) => setValues(Object.fromEntries(pairs)));
  }, [bridge, desktop]);
  const change = async <K extends keyof Values>(key: K, value: Settings[K]) => {
    const parsed = parseSetting(key, value); // throws on a value the schema refuses (e.g. too long)
    await bridge.setSetting(key, parsed);
    setValues((v) => ({ ...v, [key]: parsed }));
  };
  return (
    <Dialog title="Settings" onClose={onClose}>
      <DeviceSettings />
      <fieldset className="settings">
        <legend>Calls and notifications</legend>
        {TOGGLES.map(({ key, label, hint }) => (
          <Checkbox key={key} label={label} hint={hint} checked={values[key] ?? false} onChange={(v) => void change(key, v)} />
        ))}
        <LowBandwidthSelect />
      </fieldset>
      <ConnectionTest />
      {desktop ? (
        <fieldset className="settings">
          <legend>Desktop</legend>
          {DESKTOP_TOGGLES.map(({ key, label, hint }) => (
            <Checkbox key={key} label={label} hint={hint} checked={values[key] ?? false} onChange={(v) => void change(key, v)} />
          ))}
          <HostingDetails info={hosting} />
          {TEXT_SETTINGS.map((setting) => (
            <TextField
              key={setting.key}
              setting={setting}
              value={values[setting.key] ?? ''}
              onSave={(v) => change(setting.key, v)}
              // While hosting, the app uses its own server whatever this says (and it shows that server's address).
              lockedBecause={setting.key === 'serverUrl' && hosting ? 'This app uses the server it hosts; switch hosting off to change it.' : null}
            />
          ))}
        </fieldset>
      ) : null}
    </Dialog>
  );
}
