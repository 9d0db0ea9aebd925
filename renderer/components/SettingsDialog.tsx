import { useEffect, useState } from 'react';
import type { Settings } from '../../common/bridge.js';
import { getBridge } from '../bridge/getBridge.js';
import { Dialog } from './Dialog.js';

type Toggle = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl' | 'opusDtx' | 'turnOnly' | 'messageNotifications';

const TOGGLES: Array<{ key: Toggle; label: string; hint: string }> = [
  { key: 'echoCancellation', label: 'Echo cancellation', hint: 'Keeps your speakers out of your microphone.' },
  { key: 'noiseSuppression', label: 'Noise suppression', hint: 'Filters steady background noise.' },
  { key: 'autoGainControl', label: 'Automatic gain', hint: 'Evens out your volume.' },
  { key: 'opusDtx', label: 'Save bandwidth in silence (DTX)', hint: 'Sends almost nothing while you are quiet.' },
  { key: 'turnOnly', label: 'Relay calls through the server (TURN only)', hint: 'For restrictive networks; also hides your IP address from the other person.' },
  { key: 'messageNotifications', label: 'Message notifications', hint: 'Show a notification for new messages.' },
];

/** Audio processing, network and notification settings (applied to the next call). */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const bridge = getBridge();
  const [values, setValues] = useState<Partial<Pick<Settings, Toggle>>>({});
  useEffect(() => {
    void Promise.all(TOGGLES.map(async ({ key }) => [key, await bridge.getSetting(key)] as const)).then((pairs) => setValues(Object.fromEntries(pairs)));
  }, [bridge]);
  const change = (key: Toggle, value: boolean) => {
    setValues((v) => ({ ...v, [key]: value }));
    void bridge.setSetting(key, value);
  };
  return (
    <Dialog title="Settings" onClose={onClose}>
      <fieldset className="settings">
        <legend>Calls and notifications</legend>
        {TOGGLES.map(({ key, label, hint }) => (
          <label key={key} className="toggle">
            <input type="checkbox" checked={values[key] ?? false} onChange={(e) => change(key, e.target.checked)} />
            <span>
              {label}
              <small className="hint">{hint}</small>
            </span>
          </label>
        ))}
      </fieldset>
    </Dialog>
  );
}
