import type { AudioDevice, DeviceRef } from '../../common/bridge.js';
import {
  DEVICE_ROLES,
  ROLE_KIND,
  ROLE_NOUN,
  isPseudoDevice,
  type ActiveDevices,
  type ChosenDevices,
  type DeviceNoticeDraft,
  type MissingDevices,
} from './deviceTypes.js';
import { resolveDevice } from './resolveDevice.js';

export interface ReconcileInput {
  /** The device list before this change; null on the first enumeration (start-up). */
  previous: readonly AudioDevice[] | null;
  /** The device list now. */
  devices: readonly AudioDevice[];
  chosen: ChosenDevices;
  /** Which chosen devices were already missing before (so a fallback is announced once). */
  wasMissing: MissingDevices;
  /** Devices seen earlier in this session (`deviceKey`): only devices never seen are offered. */
  seen: ReadonlySet<string>;
}

export interface ReconcileResult {
  active: ActiveDevices;
  missing: MissingDevices;
  notices: DeviceNoticeDraft[];
  /** Choices found by label under a new id: the saved ref should take the new id. */
  relabelled: Partial<ChosenDevices>;
}

/** Identity of a device for "seen before": kind plus id, and kind plus label (ids can change). */
export function deviceKeys(device: AudioDevice): string[] {
  const keys = [`${device.kind}:id:${device.deviceId}`];
  if (device.label) keys.push(`${device.kind}:label:${device.label}`);
  return keys;
}

/**
 * The device rules, as a pure function of the old and new device lists and the saved choices:
 * - a chosen device that is connected is used (matched by id, then by label);
 * - a chosen device that is gone falls back to the system default, with a notice;
 * - a chosen device that comes back is used again, with a notice;
 * - the ring device follows the speaker while none is chosen (and while its own is missing);
 * - a device never seen before in this session is offered ("Use <label>").
 */
export function reconcileDevices(input: ReconcileInput): ReconcileResult {
  const { previous, devices, chosen, wasMissing, seen } = input;
  const active: ActiveDevices = { microphone: '', speaker: '', ringDevice: '' };
  const missing: MissingDevices = { microphone: false, speaker: false, ringDevice: false };
  const notices: DeviceNoticeDraft[] = [];
  const relabelled: Partial<ChosenDevices> = {};

  for (const role of DEVICE_ROLES) {
    const ref = chosen[role];
    const resolution = resolveDevice(ref, devices, ROLE_KIND[role]);
    const fallbackText = role === 'ringDevice' ? 'the speaker' : `the system default ${ROLE_NOUN[role]}`;
    if (resolution.status === 'found') {
      active[role] = resolution.device.deviceId;
      if (resolution.byLabel) relabelled[role] = { id: resolution.device.deviceId, label: resolution.device.label };
      if (wasMissing[role] && previous !== null) {
        notices.push({ text: `${resolution.device.label} was reconnected — using it again as the ${ROLE_NOUN[role]}`, offer: null });
      }
    } else if (resolution.status === 'missing' && ref) {
      missing[role] = true;
      if (!wasMissing[role]) {
        const what = previous === null ? 'is not connected' : 'was disconnected';
        notices.push({ text: `${ref.label || `The chosen ${ROLE_NOUN[role]}`} ${what} — using ${fallbackText}`, offer: null });
      }
    }
  }
  // Nothing (working) chosen for ringing: ring where calls play.
  if (active.ringDevice === '') active.ringDevice = active.speaker;

  if (previous !== null) {
    const inUse = new Set(Object.values(active).filter((id) => id !== ''));
    for (const device of devices) {
      if (isPseudoDevice(device) || !device.label || inUse.has(device.deviceId)) continue;
      if (deviceKeys(device).some((key) => seen.has(key))) continue;
      const role: 'microphone' | 'speaker' = device.kind === 'audioinput' ? 'microphone' : 'speaker';
      const ref: DeviceRef = { id: device.deviceId, label: device.label };
      notices.push({ text: `New ${ROLE_NOUN[role]} connected: ${device.label}`, offer: { role, device: ref } });
    }
  }
  return { active, missing, notices, relabelled };
}
