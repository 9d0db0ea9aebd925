import { DEFAULT_SETTINGS, type AudioDevice, type DesktopBridge, type DeviceRef, type DeviceReport, type Settings } from '../../common/bridge.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import type { AppStore } from '../store/index.js';
import { DEVICE_ROLES, isPseudoDevice, type ChosenDevices, type DeviceRole } from './deviceTypes.js';
import { deviceKeys, reconcileDevices } from './reconcileDevices.js';

/** The part of `navigator.mediaDevices` the manager uses; injected so tests can play hot-plug. */
export interface MediaDevicesLike {
  enumerateDevices(): Promise<ReadonlyArray<Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'> & { groupId?: string }>>;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

export interface DeviceManagerOptions {
  store: AppStore;
  bridge: Pick<DesktopBridge, 'platform' | 'getSetting' | 'setSetting' | 'reportDevices'>;
  /** navigator.mediaDevices; null where there is none (no secure context): nothing to manage. */
  mediaDevices: MediaDevicesLike | null;
  /**
   * Open the microphone once at start when devices have no labels yet (labels need the
   * microphone permission). Default: in Electron only, whose host grants it; a browser tab
   * would prompt at load, so there labels come with the first call or microphone test.
   */
  unlockLabels?: boolean;
  /** navigator.permissions, to re-enumerate once the microphone permission is granted; default none. */
  permissions?: Pick<Permissions, 'query'> | null;
  /** The microphone in use changed (a choice, a fallback, a restore): move live calls to it. '' = system default. */
  onMicrophoneChange?: (deviceId: string) => void;
  logger?: Logger;
}

/** Most devices reported to the host (DeviceReport's limit). */
const MAX_REPORTED = 256;

/**
 * Keeps the renderer's view of the audio devices: enumerates at start and on every
 * `devicechange`, resolves the saved choices (by id, then by label), falls back to the system
 * default when a chosen device is unplugged and returns to it when it is plugged back (with
 * notices), offers devices never seen before, persists choices, tells live calls when the
 * microphone in use changes, and reports every change to the host (native Devices menu, tray).
 * The speaker and ring device in use are read from the store by whoever plays audio.
 */
export class DeviceManager {
  readonly #store: AppStore;
  readonly #bridge: DeviceManagerOptions['bridge'];
  readonly #mediaDevices: MediaDevicesLike | null;
  readonly #unlockLabels: boolean;
  readonly #permissions: Pick<Permissions, 'query'> | null;
  readonly #onMicrophoneChange: (deviceId: string) => void;
  readonly #log: Logger;
  /** Every device seen in this session (deviceKeys), so only new ones are offered. */
  readonly #seen = new Set<string>();
  /** The last enumeration; null before the first. */
  #devices: AudioDevice[] | null = null;
  /** Enumerations run one at a time, in order (devicechange can fire in bursts). */
  #queue: Promise<void> = Promise.resolve();
  #disposed = false;
  readonly #onDeviceChange = () => void this.refresh();

  constructor(options: DeviceManagerOptions) {
    this.#store = options.store;
    this.#bridge = options.bridge;
    this.#mediaDevices = options.mediaDevices;
    this.#unlockLabels = options.unlockLabels ?? options.bridge.platform === 'electron';
    this.#permissions = options.permissions ?? null;
    this.#onMicrophoneChange = options.onMicrophoneChange ?? (() => undefined);
    this.#log = options.logger ?? createLogger('devices');
  }

  /** Load the saved choices, enumerate (unlocking labels where allowed) and follow changes. */
  async start(): Promise<void> {
    const [microphone, speaker, ringDevice, ringVolume] = await Promise.all([
      this.#setting('microphone'),
      this.#setting('speaker'),
      this.#setting('ringDevice'),
      this.#setting('ringVolume'),
    ]);
    if (this.#disposed) return;
    this.#store.getState().setDeviceState({ chosenDevices: { microphone, speaker, ringDevice }, ringVolume });
    const media = this.#mediaDevices;
    if (!media) return;
    media.addEventListener('devicechange', this.#onDeviceChange);
    await this.refresh();
    if (this.#needsLabels() && this.#unlockLabels) {
      try {
        const stream = await media.getUserMedia({ audio: true, video: false });
        stream.getTracks().forEach((track) => track.stop());
        await this.refresh();
      } catch (error) {
        this.#log.warn('no microphone permission: devices stay unnamed', error);
      }
    }
    void this.#watchPermission();
  }

  /** Enumerate again (after a devicechange, or once a microphone opened and labels may have appeared). */
  refresh(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#enumerate()).catch((error: unknown) => this.#log.warn('enumerateDevices failed', error));
    return this.#queue;
  }

  /**
   * Choose a device for a role (native Devices menu, tray, settings page, "Use <label>"); null =
   * the system default. Saved at once and applied at once: a live call moves to a new microphone.
   */
  async choose(role: DeviceRole, device: DeviceRef | null): Promise<void> {
    // Not `#queue`d behind an enumeration: the choice shows at once; the next enumeration sees it.
    const state = this.#store.getState();
    state.setDeviceState({
      chosenDevices: { ...state.chosenDevices, [role]: device },
      missingDevices: { ...state.missingDevices, [role]: false },
    });
    // An offer of this very device is answered.
    for (const notice of this.#store.getState().deviceNotices) {
      if (notice.offer?.role === role && notice.offer.device.id === device?.id) this.#store.getState().dismissDeviceNotice(notice.id);
    }
    await this.#bridge.setSetting(role, device).catch((error: unknown) => this.#log.warn(`[role:${role}] cannot save the choice`, error));
    // An explicit microphone choice always reaches live calls, even when it resolves to the id
    // already active (a call whose earlier switch failed gets another try).
    if (this.#devices) this.#apply(this.#devices, this.#devices, role === 'microphone');
  }

  /** Take up a new device from its notice's "Use <label>" button. */
  async useOffer(noticeId: number): Promise<void> {
    const notice = this.#store.getState().deviceNotices.find((n) => n.id === noticeId);
    if (!notice?.offer) return;
    this.#store.getState().dismissDeviceNotice(noticeId);
    await this.choose(notice.offer.role, notice.offer.device);
  }

  /** Ringtone volume 0..1, saved. */
  async setRingVolume(volume: number): Promise<void> {
    const value = Math.min(1, Math.max(0, volume));
    this.#store.getState().setDeviceState({ ringVolume: value });
    await this.#bridge.setSetting('ringVolume', value).catch((error: unknown) => this.#log.warn('cannot save the ring volume', error));
  }

  dispose(): void {
    this.#disposed = true;
    this.#mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
  }

  async #enumerate(): Promise<void> {
    const media = this.#mediaDevices;
    if (!media || this.#disposed) return;
    const listed = await media.enumerateDevices();
    if (this.#disposed) return;
    const devices: AudioDevice[] = listed
      .filter((d): d is typeof d & { kind: AudioDevice['kind'] } => d.kind === 'audioinput' || d.kind === 'audiooutput')
      .map((d) => ({ kind: d.kind, deviceId: d.deviceId, label: d.label, ...(d.groupId ? { groupId: d.groupId } : {}) }));
    const previous = this.#devices;
    this.#devices = devices;
    // Devices listed before labels were readable cannot be compared by label: treat the first
    // labelled list as the start, so nothing already there is announced as new.
    const labelsAppeared = previous !== null && !previous.some((d) => d.label) && devices.some((d) => d.label);
    this.#apply(devices, labelsAppeared ? null : previous);
  }

  /** Run the rules over `devices`, update the store, save re-identified choices, tell calls and host. */
  #apply(devices: AudioDevice[], previous: AudioDevice[] | null, forceMicrophone = false): void {
    const state = this.#store.getState();
    const result = reconcileDevices({
      previous,
      devices,
      chosen: state.chosenDevices,
      wasMissing: state.missingDevices,
      seen: this.#seen,
    });
    for (const device of devices) for (const key of deviceKeys(device)) this.#seen.add(key);
    const micBefore = state.activeDevices.microphone;
    const chosen: ChosenDevices = { ...state.chosenDevices, ...result.relabelled };
    state.setDeviceState({ audioDevices: devices, chosenDevices: chosen, activeDevices: result.active, missingDevices: result.missing });
    this.#store.getState().addDeviceNotices(result.notices);
    for (const role of DEVICE_ROLES) {
      const ref = result.relabelled[role];
      // The same device under a new id: remember the new id so the next start matches it directly.
      if (ref) void this.#bridge.setSetting(role, ref).catch((error: unknown) => this.#log.warn(`[role:${role}] cannot save the new id`, error));
    }
    if (forceMicrophone || result.active.microphone !== micBefore) this.#onMicrophoneChange(result.active.microphone);
    this.#report();
  }

  #report(): void {
    const { audioDevices, activeDevices } = this.#store.getState();
    const report: DeviceReport = {
      // Pseudo-devices are the host's "System default" entry; unnamed devices cannot be told apart.
      devices: audioDevices.filter((d) => !isPseudoDevice(d) && d.label).slice(0, MAX_REPORTED),
      activeMicrophoneId: activeDevices.microphone,
      activeSpeakerId: activeDevices.speaker,
      activeRingDeviceId: activeDevices.ringDevice,
    };
    void this.#bridge.reportDevices(report).catch((error: unknown) => this.#log.warn('cannot report devices', error));
  }

  #needsLabels(): boolean {
    return (this.#devices ?? []).some((d) => d.kind === 'audioinput' && !d.label);
  }

  /** Re-enumerate once the microphone permission is granted (labels become readable). */
  async #watchPermission(): Promise<void> {
    if (!this.#permissions || !this.#needsLabels()) return;
    try {
      const status = await this.#permissions.query({ name: 'microphone' as PermissionName });
      status.addEventListener('change', () => {
        if (status.state === 'granted') void this.refresh();
      });
    } catch {
      // Not every browser can query the microphone permission; labels then come with the next devicechange.
    }
  }

  /** A setting, or its default when the host cannot say. */
  async #setting<K extends DeviceRole | 'ringVolume'>(key: K): Promise<Settings[K]> {
    try {
      return await this.#bridge.getSetting(key);
    } catch (error) {
      this.#log.warn(`[key:${key}] cannot read the setting`, error);
      return DEFAULT_SETTINGS[key];
    }
  }
}
