import type { AudioDevice, DeviceRef } from '../../common/bridge.js';

/** The three device choices a person makes (the keys of those settings). */
export type DeviceRole = 'microphone' | 'speaker' | 'ringDevice';

export const DEVICE_ROLES: readonly DeviceRole[] = ['microphone', 'speaker', 'ringDevice'];

/** The kind of device each role takes. */
export const ROLE_KIND: Record<DeviceRole, AudioDevice['kind']> = {
  microphone: 'audioinput',
  speaker: 'audiooutput',
  ringDevice: 'audiooutput',
};

/** How each role is named in notices ("… using the system default microphone"). */
export const ROLE_NOUN: Record<DeviceRole, string> = {
  microphone: 'microphone',
  speaker: 'speaker',
  ringDevice: 'ring device',
};

/** The saved choice per role; null = the system default (for ringDevice: the speaker). */
export type ChosenDevices = Record<DeviceRole, DeviceRef | null>;

/** The deviceId in use per role after matching and fallback; '' = the system default. */
export type ActiveDevices = Record<DeviceRole, string>;

/** Per role: a device was chosen but is not connected (the system default stands in). */
export type MissingDevices = Record<DeviceRole, boolean>;

/** A notice about devices before it gets its id: a fallback, a restore, or a new device on offer. */
export interface DeviceNoticeDraft {
  text: string;
  /** A newly plugged device offered with a "Use <label>" button; null for plain notices. */
  offer: { role: 'microphone' | 'speaker'; device: DeviceRef } | null;
}

/** A visible, dismissable device notice. */
export interface DeviceNotice extends DeviceNoticeDraft {
  /** Monotonic id (dismiss and React key). */
  id: number;
}

/**
 * Browser pseudo-devices that stand for "whatever the system uses" (Chromium lists `default`,
 * and `communications` on Windows). They are not offered as choices: "System default" is.
 */
export function isPseudoDevice(device: Pick<AudioDevice, 'deviceId'>): boolean {
  return device.deviceId === 'default' || device.deviceId === 'communications' || device.deviceId === '';
}
