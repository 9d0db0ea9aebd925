import { z } from 'zod';

/**
 * The one contract between the renderer and its host. In Electron the preload exposes an
 * object implementing it as `window.earshot`; in a browser `renderer/bridge/browserBridge.ts`
 * implements it with web APIs. The renderer only ever talks to this interface.
 */
export interface DesktopBridge {
  /** `electron` inside the desktop app, `browser` in a web browser. */
  readonly platform: 'electron' | 'browser';

  /** Show a system notification; resolves to whether it was shown (permission may be denied). */
  notify(notification: BridgeNotification): Promise<boolean>;

  /** Persistent settings (electron-store in the app, localStorage in a browser). */
  getSetting<K extends SettingKey>(key: K): Promise<Settings[K]>;
  setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<void>;

  /** The session token is kept by the host (not by the page) where the host can. */
  getSessionToken(): Promise<string | null>;
  setSessionToken(token: string | null): Promise<void>;

  /** Unread count shown on the dock/taskbar badge or the page title. */
  setBadgeCount(count: number): Promise<void>;

  /** Renderer → host: the audio devices and the ones in use, after every change (builds the native device menus). */
  reportDevices(report: DeviceReport): Promise<void>;

  /** Renderer → host: signed in, presence, in call, muted (tray icon and menu). */
  reportState(state: HostState): Promise<void>;

  /**
   * Renderer → host: a 1-on-1 call is ringing. The desktop host shows a native notification and
   * the always-on-top ring window (unless do-not-disturb is on, which records a missed call);
   * the browser host shows a Notification. The in-page incoming-call UI is shown either way.
   */
  ringStarted(ring: IncomingRing): Promise<void>;

  /**
   * Renderer → host: the ring is over (answered, declined, cancelled by the caller: missed = true
   * when nobody answered). Also sent, missed = true, for a call that never rang here because the
   * server refused it (do not disturb, already in a call), so the host's missed-call count has it.
   */
  ringEnded(callId: string, missed: boolean): Promise<void>;

  /** Ring window → host: the ring being shown in this window (the page at `#/ring`), or null. */
  currentRing(): Promise<IncomingRing | null>;

  /** Ring window (or notification) → host: the user's answer; the host relays it to the main window as an `answerRing` command. */
  answerRing(callId: string, response: RingResponse): Promise<void>;

  /**
   * Desktop: the in-app server while "host on this computer" runs — the addresses others on the
   * network open and its certificate's fingerprint, for them to check — else null. Always null
   * in a browser.
   */
  hostingInfo(): Promise<HostingInfo | null>;

  /** Host → renderer: commands from the tray, menus, shortcut, ring window and deep links. Returns unsubscribe. */
  onCommand(listener: (command: HostCommand) => void): () => void;
}

export interface BridgeNotification {
  /** Notification title, e.g. the sender's name. */
  title: string;
  body: string;
  /** Replaces an earlier notification with the same tag (e.g. per conversation). */
  tag?: string;
}

/** A chosen audio device, kept by id and label: ids can change (browser profile, re-plug), labels rarely do. */
export const DeviceRef = z.object({ id: z.string().max(512), label: z.string().max(512) });
export type DeviceRef = z.infer<typeof DeviceRef>;

/** The low-bandwidth setting (see `SettingsSchema.lowBandwidth`). */
export const LowBandwidthSetting = z.enum(['off', 'on', 'auto']);
export type LowBandwidthSetting = z.infer<typeof LowBandwidthSetting>;

/**
 * User settings, validated at runtime on both ends (the browser bridge's localStorage, the main
 * process's electron-store and every IPC message). Defaults are the schema's defaults.
 */
export const SettingsSchema = z.object({
  /** Base URL of the Earshot server (http(s)://host:port); empty = the page's own origin. */
  serverUrl: z.string().max(2048).default(''),
  /** Show notifications for new messages. */
  messageNotifications: z.boolean().default(true),
  /** Microphone processing (getUserMedia constraints). All on by default. */
  echoCancellation: z.boolean().default(true),
  noiseSuppression: z.boolean().default(true),
  autoGainControl: z.boolean().default(true),
  /** Opus discontinuous transmission: send almost nothing while silent. Default off. */
  opusDtx: z.boolean().default(false),
  /** Relay every call through TURN (hostile networks; hides the IP address from the peer). */
  turnOnly: z.boolean().default(false),
  /**
   * Low-bandwidth mode for calls: Opus at about 16 kbps in 60 ms packets with FEC (both
   * directions of a 1-on-1 call), and in group calls only the active speakers are received.
   * `off`: never (it can still be switched on in a call); `on`: from the start of every call;
   * `auto` (default): switched on for the rest of a call once its quality has stayed poor for
   * 10 s. Added after layout 1.0.0 with a default, so older settings files need no migration.
   */
  lowBandwidth: LowBandwidthSetting.default('auto'),
  /** Chosen devices; null = the system default. Matched by id, then by label when ids change. */
  microphone: DeviceRef.nullable().default(null),
  speaker: DeviceRef.nullable().default(null),
  /** Where the ringtone plays (may differ from the call speaker); null = the speaker setting. */
  ringDevice: DeviceRef.nullable().default(null),
  /** Ringtone volume, 0..1. */
  ringVolume: z.number().min(0).max(1).default(0.8),
  /** Desktop: closing the window keeps Earshot running in the tray. */
  closeToTray: z.boolean().default(true),
  /** Desktop: start Earshot when the user logs in. */
  startAtLogin: z.boolean().default(false),
  /** Desktop: global shortcut toggling mute (Electron accelerator syntax); empty = none. */
  muteShortcut: z.string().max(64).default('CommandOrControl+Shift+M'),
  /** Desktop: run the Earshot server inside the app for people on the same network. */
  hostOnThisComputer: z.boolean().default(false),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});

/** Validate one setting's value; throws a ZodError when it does not fit the schema. */
export function parseSetting<K extends SettingKey>(key: K, value: unknown): Settings[K] {
  return SettingsSchema.shape[key].parse(value) as Settings[K];
}

/** One audio device as the renderer sees it (MediaDeviceInfo, without groupId). */
export const AudioDevice = z.object({
  kind: z.enum(['audioinput', 'audiooutput']),
  deviceId: z.string().max(512),
  label: z.string().max(512),
  /** Same for the input and output of one physical device (a headset's microphone and earpiece). */
  groupId: z.string().max(512).optional(),
});
export type AudioDevice = z.infer<typeof AudioDevice>;

/** The renderer's view of the devices, reported to the host after every change. */
export const DeviceReport = z.object({
  devices: z.array(AudioDevice).max(256),
  /** The devices actually in use now (after fallback), by deviceId; '' = system default. */
  activeMicrophoneId: z.string().max(512),
  activeSpeakerId: z.string().max(512),
  activeRingDeviceId: z.string().max(512),
});
export type DeviceReport = z.infer<typeof DeviceReport>;

/** What the tray icon shows, reported by the renderer whenever it changes. */
export const HostState = z.object({
  signedIn: z.boolean(),
  /** The user's chosen presence. */
  presence: z.enum(['online', 'dnd']),
  /** In a 1-on-1 or group call, and whether the microphone is muted there. */
  inCall: z.boolean(),
  muted: z.boolean(),
});
export type HostState = z.infer<typeof HostState>;

/** The in-app server as others on the network reach it (see `DesktopBridge.hostingInfo`). */
export const HostingInfo = z.object({
  /** e.g. https://192.168.1.20:8443 (empty when the computer has no network address). */
  lanUrls: z.array(z.string().max(256)).max(32),
  /** SHA-256 of its TLS certificate, `AB:CD:…`. */
  fingerprint: z.string().max(128),
});
export type HostingInfo = z.infer<typeof HostingInfo>;

/** An incoming 1-on-1 call, for the host's notification and ring window. */
export const IncomingRing = z.object({
  callId: z.string().min(1).max(128),
  callerName: z.string().max(256),
  conversationId: z.number().int().positive(),
});
export type IncomingRing = z.infer<typeof IncomingRing>;

/** How the user answered a ring (ring window buttons or notification actions). */
export const RingResponse = z.enum(['accept', 'decline', 'busy']);
export type RingResponse = z.infer<typeof RingResponse>;

/**
 * Commands the host sends to the main window's renderer: from the tray menu, the Devices menu,
 * the global mute shortcut, the ring window and `earshot://` deep links.
 */
export const HostCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('toggleMute') }),
  z.object({ type: z.literal('setPresence'), presence: z.enum(['online', 'dnd']) }),
  z.object({ type: z.literal('chooseDevice'), role: z.enum(['microphone', 'speaker', 'ringDevice']), device: DeviceRef.nullable() }),
  z.object({ type: z.literal('answerRing'), callId: z.string().min(1).max(128), response: RingResponse }),
  z.object({ type: z.literal('openConversation'), conversationId: z.number().int().positive() }),
  z.object({ type: z.literal('joinGroupCall'), conversationId: z.number().int().positive() }),
]);
export type HostCommand = z.infer<typeof HostCommand>;
