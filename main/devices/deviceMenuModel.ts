import type { AudioDevice, DeviceRef, DeviceReport } from '../../common/bridge.js';
import type { MenuItemModel } from '../menu/menuModel.js';

/**
 * The Devices menu and the tray's Microphone / Speaker submenus, built from the renderer's
 * DeviceReport and the saved choices. The radio mark shows the device *in use* (after fallback);
 * a saved device that is unplugged stays listed, disabled, as "(disconnected)", so the user sees
 * why the default is in use and that it comes back when re-plugged.
 */

export type DeviceRole = 'microphone' | 'speaker' | 'ringDevice';

export const ROLE_KIND: Record<DeviceRole, AudioDevice['kind']> = {
  microphone: 'audioinput',
  speaker: 'audiooutput',
  ringDevice: 'audiooutput',
};

export const ROLE_LABEL: Record<DeviceRole, string> = {
  microphone: 'Microphone',
  speaker: 'Speaker',
  ringDevice: 'Ring Device',
};

/** Saved device choices (settings); null = system default. */
export type SavedDevices = Record<DeviceRole, DeviceRef | null>;

/** Chromium's pseudo device ids for the system default / communications device. */
const PSEUDO_IDS = new Set(['default', 'communications', '']);

/**
 * Find a saved device among the present ones: by id first, then (ids change across sessions and
 * re-plugs) by exact label. Returns null when the saved device is absent or none was saved.
 */
export function matchDevice(devices: readonly AudioDevice[], kind: AudioDevice['kind'], saved: DeviceRef | null): AudioDevice | null {
  if (!saved) return null;
  const candidates = devices.filter((d) => d.kind === kind && !PSEUDO_IDS.has(d.deviceId));
  const byId = candidates.find((d) => d.deviceId === saved.id);
  if (byId) return byId;
  if (!saved.label) return null;
  const byLabel = candidates.filter((d) => d.label === saved.label);
  // Two devices with the same label (two identical headsets): an id match is needed to choose.
  return byLabel.length === 1 ? (byLabel[0] ?? null) : null;
}

/** The active device id for a role, from the report ('' = system default). */
function activeId(report: DeviceReport, role: DeviceRole): string {
  if (role === 'microphone') return report.activeMicrophoneId;
  if (role === 'speaker') return report.activeSpeakerId;
  return report.activeRingDeviceId;
}

/**
 * Radio items for one role: the default, every present device, and a disconnected saved one.
 * The ring device's default is not the system's but "Same as Speaker": with no (connected) ring
 * device chosen the ringtone plays where calls do, so that item stays checked even though the
 * device in use is the speaker's.
 */
export function deviceSubmenu(report: DeviceReport, saved: SavedDevices, role: DeviceRole): MenuItemModel[] {
  const kind = ROLE_KIND[role];
  const present = report.devices.filter((d) => d.kind === kind && !PSEUDO_IDS.has(d.deviceId));
  const followsSpeaker = role === 'ringDevice' && !(saved.ringDevice && matchDevice(report.devices, kind, saved.ringDevice));
  const active = followsSpeaker ? '' : activeId(report, role);
  const activeIsListed = present.some((d) => d.deviceId === active);
  const items: MenuItemModel[] = [
    {
      kind: 'radio',
      id: `${role}:default`,
      label: role === 'ringDevice' ? 'Same as Speaker' : 'System Default',
      checked: !activeIsListed,
      action: { type: 'command', command: { type: 'chooseDevice', role, device: null } },
    },
    ...present.map(
      (d, index): MenuItemModel => ({
        kind: 'radio',
        id: `${role}:${d.deviceId}`,
        label: d.label || `${ROLE_LABEL[role]} ${index + 1}`,
        checked: d.deviceId === active,
        action: { type: 'command', command: { type: 'chooseDevice', role, device: { id: d.deviceId, label: d.label } } },
      }),
    ),
  ];
  const chosen = saved[role];
  if (chosen && !matchDevice(report.devices, kind, chosen)) {
    items.push({ kind: 'normal', id: `${role}:missing`, label: `${chosen.label || 'Chosen device'} (disconnected)`, enabled: false });
  }
  return items;
}

export interface DeviceMenus {
  microphone: MenuItemModel[];
  speaker: MenuItemModel[];
  ringDevice: MenuItemModel[];
}

export function deviceMenus(report: DeviceReport | null, saved: SavedDevices): DeviceMenus {
  const r = report ?? { devices: [], activeMicrophoneId: '', activeSpeakerId: '', activeRingDeviceId: '' };
  return {
    microphone: deviceSubmenu(r, saved, 'microphone'),
    speaker: deviceSubmenu(r, saved, 'speaker'),
    ringDevice: deviceSubmenu(r, saved, 'ringDevice'),
  };
}
