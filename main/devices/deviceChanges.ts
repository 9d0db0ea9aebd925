import type { AudioDevice, DeviceRef, DeviceReport } from '../../common/bridge.js';
import { matchDevice, ROLE_KIND, type DeviceRole, type SavedDevices } from './deviceMenuModel.js';

/**
 * What changed between two device reports, from the user's point of view (the hot-plug rules):
 * - the chosen device disappeared → the default is used (`fellBack`), shown as a notice;
 * - it came back (same id, or same label with a new id) → it is used again (`restored`);
 * - a new microphone appeared that is not the chosen one → it is offered (`offered`), with its
 *   earpiece or speaker when that appeared too (same device group, or same name): a headset is
 *   offered for both. A new output alone (a monitor's HDMI audio, say) is not announced natively;
 *   the page lists it.
 * The renderer applies the devices; main only turns these into native notices.
 */
export type DeviceChange =
  | { kind: 'fellBack'; role: DeviceRole; label: string }
  | { kind: 'restored'; role: DeviceRole; label: string }
  | { kind: 'offered'; device: AudioDevice; output?: AudioDevice };

const ROLES: DeviceRole[] = ['microphone', 'speaker', 'ringDevice'];

export function diffDevices(previous: DeviceReport | null, next: DeviceReport, saved: SavedDevices): DeviceChange[] {
  // The first report after start is the baseline, not a plug event.
  if (!previous) return [];
  const changes: DeviceChange[] = [];
  for (const role of ROLES) {
    const chosen = saved[role];
    if (!chosen) continue;
    const before = matchDevice(previous.devices, ROLE_KIND[role], chosen);
    const after = matchDevice(next.devices, ROLE_KIND[role], chosen);
    if (before && !after) changes.push({ kind: 'fellBack', role, label: chosen.label || before.label });
    if (!before && after) changes.push({ kind: 'restored', role, label: after.label });
  }
  const known = new Set(previous.devices.map((d) => `${d.kind}\u0000${d.deviceId}`));
  const knownLabels = new Set(previous.devices.map((d) => `${d.kind}\u0000${d.label}`));
  for (const device of next.devices) {
    if (device.deviceId === 'default' || device.deviceId === 'communications' || device.deviceId === '') continue;
    if (known.has(`${device.kind}\u0000${device.deviceId}`) || knownLabels.has(`${device.kind}\u0000${device.label}`)) continue;
    // A re-plugged chosen device is "restored", not offered.
    const isChosen = ROLES.some((role) => ROLE_KIND[role] === device.kind && matchDevice([device], device.kind, saved[role]));
    if (isChosen || device.kind !== 'audioinput') continue;
    const output = next.devices.find(
      (d) =>
        d.kind === 'audiooutput' &&
        !known.has(`${d.kind}\u0000${d.deviceId}`) &&
        !matchDevice([d], d.kind, saved.speaker) &&
        (device.groupId ? d.groupId === device.groupId : d.label === device.label),
    );
    changes.push(output ? { kind: 'offered', device, output } : { kind: 'offered', device });
  }
  return changes;
}

/** The choices a click on an `offered` notice makes: the microphone, and the headset's output with it. */
export function offeredChoices(change: Extract<DeviceChange, { kind: 'offered' }>): Array<{ role: 'microphone' | 'speaker'; device: DeviceRef }> {
  const choices: ReturnType<typeof offeredChoices> = [{ role: 'microphone', device: { id: change.device.deviceId, label: change.device.label } }];
  if (change.output) choices.push({ role: 'speaker', device: { id: change.output.deviceId, label: change.output.label } });
  return choices;
}

/** The notice text for a change (notification body). */
export function describeDeviceChange(change: DeviceChange): { title: string; body: string } {
  const role = (r: DeviceRole) => (r === 'microphone' ? 'microphone' : r === 'speaker' ? 'speaker' : 'ring device');
  switch (change.kind) {
    case 'fellBack':
      return { title: `${change.label} disconnected`, body: `Using the system default ${role(change.role)} until it is back.` };
    case 'restored':
      return { title: `${change.label} is back`, body: `Using it again as your ${role(change.role)}.` };
    case 'offered':
      return change.output
        ? { title: 'New headset', body: `${change.device.label || 'A headset'} was plugged in. Click to use it for calls (microphone and speaker).` }
        : { title: 'New microphone', body: `${change.device.label || 'A microphone'} was plugged in. Click to use it.` };
  }
}
