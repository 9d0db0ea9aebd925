import type { Page } from '@playwright/test';
import {
  DEFAULT_SETTINGS,
  type BridgeNotification,
  type DesktopBridge,
  type DeviceReport,
  type HostCommand,
  type HostingInfo,
  type HostState,
  type IncomingRing,
  type RingResponse,
} from '../../common/bridge.js';

/** What the stand-in host recorded in one page. */
export interface HostLog {
  deviceReports: DeviceReport[];
  hostStates: HostState[];
  ringsStarted: IncomingRing[];
  ringsEnded: Array<{ callId: string; missed: boolean }>;
  answers: Array<{ callId: string; response: RingResponse }>;
  /** Native notifications the renderer asked for. */
  notifications: BridgeNotification[];
  /** Every AudioContext.setSinkId call (where the ringtone and test sounds went). */
  contextSinks: string[];
}

declare global {
  interface Window {
    __host?: { log: HostLog; dispatch(command: HostCommand): void };
    __devices?: { unplug(label: string): void; replug(label: string): void; plug(device: { kind: 'audioinput' | 'audiooutput'; deviceId: string; label: string }): void };
  }
}

/**
 * Install, before the app loads, an in-page DesktopBridge standing in for Electron's preload
 * (`window.earshot`, platform `electron`): settings and the session token in localStorage (the
 * keys the browser bridge uses, defaults from the schema), and a recorder of everything the
 * renderer tells its host. `window.__host.dispatch` plays the host sending a command. Pages
 * of one browser context share a host the way windows of the app do: a ring started in the main
 * window is the ring window's `currentRing`, and the ring window's answer reaches the main
 * window as an `answerRing` command (through a BroadcastChannel).
 *
 * `hosting` is what `hostingInfo()` answers (the in-app server the test plays), default null.
 *
 * It also lets the test play hot-plug (`window.__devices`): enumerateDevices hides "unplugged"
 * devices by label and lists "plugged" virtual ones, and each change fires `devicechange`.
 */
export async function installDesktopBridge(page: Page, options: { hosting?: HostingInfo } = {}): Promise<void> {
  await page.addInitScript(({ defaults, hosting }: { defaults: Record<string, unknown>; hosting: HostingInfo | null }) => {
    const RING_KEY = 'earshot:test-host:ring';
    const log: HostLog = { deviceReports: [], hostStates: [], ringsStarted: [], ringsEnded: [], answers: [], notifications: [], contextSinks: [] };
    const listeners = new Set<(command: HostCommand) => void>();
    const dispatch = (command: HostCommand) => listeners.forEach((listener) => listener(command));
    const host = new BroadcastChannel('earshot-test-host');
    host.onmessage = (event: MessageEvent<HostCommand>) => dispatch(event.data);
    const settingKey = (key: string) => `earshot:setting:${key}`;

    // Typed here: this file is checked with the Node tsconfig, which does not see the renderer's Window.earshot declaration.
    const bridge: DesktopBridge = {
      platform: 'electron',
      notify: async (notification) => {
        log.notifications.push(notification);
        return true;
      },
      getSetting: async (key) => {
        const raw = localStorage.getItem(settingKey(key));
        return (raw === null ? defaults[key] : JSON.parse(raw)) as never;
      },
      setSetting: async (key, value) => localStorage.setItem(settingKey(key), JSON.stringify(value)),
      getSessionToken: async () => localStorage.getItem('earshot:sessionToken'),
      setSessionToken: async (token) => (token === null ? localStorage.removeItem('earshot:sessionToken') : localStorage.setItem('earshot:sessionToken', token)),
      setBadgeCount: async () => undefined,
      reportDevices: async (report) => void log.deviceReports.push(report),
      reportState: async (state) => void log.hostStates.push(state),
      ringStarted: async (ring) => {
        log.ringsStarted.push(ring);
        localStorage.setItem(RING_KEY, JSON.stringify(ring));
      },
      ringEnded: async (callId, missed) => {
        log.ringsEnded.push({ callId, missed });
        localStorage.removeItem(RING_KEY);
      },
      hostingInfo: async () => hosting,
      currentRing: async () => JSON.parse(localStorage.getItem(RING_KEY) ?? 'null') as IncomingRing | null,
      answerRing: async (callId, response) => {
        log.answers.push({ callId, response });
        host.postMessage({ type: 'answerRing', callId, response } satisfies HostCommand);
      },
      onCommand: (listener) => {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    };
    (window as unknown as { earshot: DesktopBridge }).earshot = bridge;
    window.__host = { log, dispatch };

    // Where WebAudio output goes (ringtone, test sounds).
    type Sinkable = { setSinkId?: (this: AudioContext, sinkId: string) => Promise<void> };
    const proto = AudioContext.prototype as unknown as Sinkable;
    const setSinkId = proto.setSinkId;
    if (setSinkId) {
      proto.setSinkId = function (this: AudioContext, sinkId: string) {
        log.contextSinks.push(sinkId);
        return setSinkId.call(this, sinkId);
      };
    }

    // Hot-plug, played by the test.
    const media = navigator.mediaDevices;
    const enumerate = media.enumerateDevices.bind(media);
    const hidden = new Set<string>();
    const plugged: Array<{ kind: 'audioinput' | 'audiooutput'; deviceId: string; label: string }> = [];
    media.enumerateDevices = async () => {
      const real = (await enumerate()).filter((d) => !hidden.has(d.label));
      const virtual = plugged.map((d) => ({ ...d, groupId: `group-${d.deviceId}`, toJSON: () => d }) as MediaDeviceInfo);
      return [...real, ...virtual];
    };
    const changed = () => media.dispatchEvent(new Event('devicechange'));
    window.__devices = {
      unplug: (label) => {
        hidden.add(label);
        changed();
      },
      replug: (label) => {
        hidden.delete(label);
        changed();
      },
      plug: (device) => {
        plugged.push(device);
        changed();
      },
    };
  }, { defaults: DEFAULT_SETTINGS as Record<string, unknown>, hosting: options.hosting ?? null });
}

/** The stand-in host's record of a page. */
export function hostLog(page: Page): Promise<HostLog> {
  return page.evaluate(() => window.__host!.log);
}

/** Send a HostCommand to a page, as the tray, a native menu, the shortcut or a deep link would. */
export async function sendHostCommand(page: Page, command: HostCommand): Promise<void> {
  await page.evaluate((c) => window.__host!.dispatch(c), command);
}

/** The deviceId Chromium gave a device in this page (from the last device report). */
export async function reportedDeviceId(page: Page, kind: 'audioinput' | 'audiooutput', label: string): Promise<string> {
  const report = (await hostLog(page)).deviceReports.at(-1);
  const device = report?.devices.find((d) => d.kind === kind && d.label === label);
  if (!device) throw new Error(`${label} not reported`);
  return device.deviceId;
}

/** Facts about the page's outgoing audio sender, for "swapped without renegotiation". */
export interface AudioSenderFacts {
  /** Still the RTCRtpSender that markAudioSender saw. */
  sameSender: boolean;
  /** Senders on its peer connection. */
  senders: number;
  /** deviceId of the microphone its track comes from. */
  deviceId: string | null;
  trackLive: boolean;
  /** signalingstatechange events on its connection since markAudioSender (an offer/answer makes two). */
  signalingChanges: number;
}

/**
 * Remember the page's outgoing audio sender (across every RTCPeerConnection the audio probe
 * recorded: the 1-on-1 connection, or mediasoup's send transport) and count signaling changes
 * from now on.
 */
export async function markAudioSender(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __sender?: RTCRtpSender; __signalingChanges?: number };
    const pc = w.__pcs.filter((p) => p.connectionState !== 'closed' && p.getSenders().some((s) => s.track?.kind === 'audio')).at(-1);
    if (!pc) throw new Error('no connection sends audio');
    w.__sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
    w.__signalingChanges = 0;
    pc.addEventListener('signalingstatechange', () => (w.__signalingChanges = (w.__signalingChanges ?? 0) + 1));
  });
}

export async function audioSenderFacts(page: Page): Promise<AudioSenderFacts> {
  return page.evaluate(() => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __sender?: RTCRtpSender; __signalingChanges?: number };
    const pc = w.__pcs.find((p) => p.getSenders().some((s) => s === w.__sender));
    const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
    return {
      sameSender: sender !== undefined && sender === w.__sender,
      senders: pc?.getSenders().length ?? 0,
      deviceId: sender?.track?.getSettings().deviceId ?? null,
      trackLive: sender?.track?.readyState === 'live',
      signalingChanges: w.__signalingChanges ?? -1,
    };
  });
}
