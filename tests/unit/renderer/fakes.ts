import type { BridgeNotification, DesktopBridge, DeviceReport, HostCommand, HostingInfo, HostState, IncomingRing, RingResponse, Settings } from '../../../common/bridge.js';
import { DEFAULT_SETTINGS } from '../../../common/bridge.js';
import type { WebSocketLike } from '../../../renderer/signaling/SignalingClientTypes.js';

/** A request frame as the fake server sees it. */
export interface SentRequest {
  id: number;
  method: string;
  data: Record<string, unknown>;
}

/**
 * A WebSocket stand-in driven by the test: `open()`, `receive()` and `serverClose()` play the
 * server; `sent` records what the client wrote; `onRequest` can answer automatically.
 */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly sent: SentRequest[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  /** Called for each request the client sends (answer with `respond`/`fail`). */
  onRequest: ((request: SentRequest) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    const request = JSON.parse(data) as SentRequest;
    this.sent.push(request);
    this.onRequest?.(request);
  }

  close(code?: number, reason?: string): void {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  respond(id: number, result: unknown): void {
    this.receive({ id, result });
  }

  fail(id: number, code: string, message = code): void {
    this.receive({ id, error: { code, message } });
  }

  notify(event: string, data: unknown): void {
    this.receive({ event, data });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  lastSent(): SentRequest {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return last;
  }
}

/** A socket factory that remembers every socket it made. */
export function fakeSockets() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url: string, protocols: string[]) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    last(): FakeSocket {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket yet');
      return socket;
    },
  };
}

/**
 * An in-memory DesktopBridge that records what the renderer tells its host (notifications,
 * badge counts, device reports, host state, rings and ring answers); `dispatch` plays the host
 * sending a command.
 */
export function memoryBridge(token: string | null = null, platform: DesktopBridge['platform'] = 'browser') {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const listeners = new Set<(command: HostCommand) => void>();
  const state = {
    token,
    settings,
    notifications: [] as BridgeNotification[],
    badges: [] as number[],
    deviceReports: [] as DeviceReport[],
    hostStates: [] as HostState[],
    ringsStarted: [] as IncomingRing[],
    ringsEnded: [] as Array<{ callId: string; missed: boolean }>,
    answers: [] as Array<{ callId: string; response: RingResponse }>,
    currentRing: null as IncomingRing | null,
    hosting: null as HostingInfo | null,
  };
  const bridge: DesktopBridge = {
    platform,
    notify: async (n) => {
      state.notifications.push(n);
      return true;
    },
    getSetting: async (key) => settings[key],
    setSetting: async (key, value) => {
      settings[key] = value;
    },
    getSessionToken: async () => state.token,
    setSessionToken: async (t) => {
      state.token = t;
    },
    setBadgeCount: async (count) => {
      state.badges.push(count);
    },
    reportDevices: async (report) => {
      state.deviceReports.push(report);
    },
    reportState: async (hostState) => {
      state.hostStates.push(hostState);
    },
    ringStarted: async (ring) => {
      state.ringsStarted.push(ring);
    },
    ringEnded: async (callId, missed) => {
      state.ringsEnded.push({ callId, missed });
    },
    currentRing: async () => state.currentRing,
    answerRing: async (callId, response) => {
      state.answers.push({ callId, response });
    },
    hostingInfo: async () => state.hosting,
    onCommand: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  /** Play the host: deliver a command to every onCommand listener. */
  const dispatch = (command: HostCommand) => {
    for (const listener of [...listeners]) listener(command);
  };
  return { bridge, state, dispatch, listenerCount: () => listeners.size };
}
