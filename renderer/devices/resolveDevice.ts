import type { AudioDevice, DeviceRef } from '../../common/bridge.js';

/**
 * Where a saved device choice stands among the connected devices:
 * - `default`: nothing chosen (the system default is used);
 * - `found`: connected; `byLabel` when its id changed and the label found it (re-plugged,
 *   new browser profile, OS update) — the saved id is then out of date;
 * - `missing`: chosen but not connected.
 */
export type DeviceResolution =
  | { status: 'default' }
  | { status: 'found'; device: AudioDevice; byLabel: boolean }
  | { status: 'missing' };

/**
 * Match a saved DeviceRef against `devices` of `kind`: by id first, then by label (ids change,
 * labels rarely do). Devices without a label (no microphone permission yet) never match by label.
 */
export function resolveDevice(ref: DeviceRef | null, devices: readonly AudioDevice[], kind: AudioDevice['kind']): DeviceResolution {
  if (!ref) return { status: 'default' };
  const candidates = devices.filter((d) => d.kind === kind);
  const byId = candidates.find((d) => d.deviceId === ref.id);
  if (byId) return { status: 'found', device: byId, byLabel: false };
  if (ref.label) {
    const byLabel = candidates.find((d) => d.label === ref.label);
    if (byLabel) return { status: 'found', device: byLabel, byLabel: true };
  }
  return { status: 'missing' };
}
