import { useEffect, useId, useState } from 'react';
import { LowBandwidthSetting } from '../../common/bridge.js';
import { getBridge } from '../bridge/getBridge.js';

const CHOICES: Array<{ value: LowBandwidthSetting; label: string }> = [
  { value: 'auto', label: 'Automatic (when the connection stays poor)' },
  { value: 'on', label: 'Always on' },
  { value: 'off', label: 'Off' },
];

/**
 * The low-bandwidth setting in Settings: automatic, always on, or off. Applies from the next
 * call; in a call, the panel's "Low bandwidth mode" button switches it at once.
 */
export function LowBandwidthSelect() {
  const bridge = getBridge();
  const id = useId();
  const [value, setValue] = useState<LowBandwidthSetting>('auto');
  useEffect(() => {
    let live = true;
    void bridge.getSetting('lowBandwidth').then((v) => live && setValue(v));
    return () => {
      live = false;
    };
  }, [bridge]);
  const change = (raw: string) => {
    const parsed = LowBandwidthSetting.parse(raw);
    void bridge.setSetting('lowBandwidth', parsed).then(() => setValue(parsed));
  };
  return (
    <div className="device-row">
      <label htmlFor={id}>Low-bandwidth mode</label>
      <select id={id} value={value} aria-describedby={`${id}-hint`} onChange={(e) => change(e.target.value)}>
        {CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      <small id={`${id}-hint`} className="hint">
        Opus at 16 kbps in 60 ms packets; in group calls only the active speakers are received. For slow or congested connections. Applies from the next call.
      </small>
    </div>
  );
}
