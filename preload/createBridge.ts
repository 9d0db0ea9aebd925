import { HostCommand, type DesktopBridge } from '../common/bridge.js';
import { HOST_COMMAND_CHANNEL, type IpcChannel, type IpcReply, type IpcResults } from '../common/ipc.js';

/**
 * The `DesktopBridge` the preload exposes, built over two functions of `ipcRenderer` so it is
 * tested without Electron. Every method is one `invoke` of a channel from common/ipc.ts; main
 * validates it and answers with an `IpcReply`. A refused call rejects with an Error whose
 * `message` starts with the stable code (`BAD_REQUEST: …`), because contextBridge copies only
 * the message of an Error into the page.
 */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): DesktopBridge {
  async function invoke<C extends IpcChannel>(channel: C, ...args: unknown[]): Promise<IpcResults[C]> {
    const reply = (await ipc.invoke(channel, ...args)) as IpcReply<IpcResults[C]>;
    if (reply && reply.ok === true) return reply.value;
    const error = reply && reply.ok === false ? reply.error : { code: 'INTERNAL', message: 'no reply from the host' };
    throw new Error(`${error.code}: ${error.message}`);
  }

  const bridge: DesktopBridge = {
    platform: 'electron',
    notify: (notification) => invoke('notify:show', notification),
    getSetting: (key) => invoke('settings:get', key) as never,
    setSetting: (key, value) => invoke('settings:set', key, value),
    getSessionToken: () => invoke('session:get'),
    setSessionToken: (token) => invoke('session:set', token),
    setBadgeCount: (count) => invoke('badge:set', count),
    reportDevices: (report) => invoke('devices:report', report),
    reportState: (state) => invoke('state:report', state),
    ringStarted: (ring) => invoke('ring:started', ring),
    ringEnded: (callId, missed) => invoke('ring:ended', callId, missed),
    currentRing: () => invoke('ring:current'),
    answerRing: (callId, response) => invoke('ring:answer', callId, response),
    hostingInfo: () => invoke('hosting:info'),
    onCommand: (listener) => {
      // The page gets the parsed command only, never Electron's event object (it carries `sender`).
      const wrapped = (_event: unknown, raw: unknown) => {
        const parsed = HostCommand.safeParse(raw);
        if (parsed.success) listener(parsed.data);
      };
      ipc.on(HOST_COMMAND_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(HOST_COMMAND_CHANNEL, wrapped);
      };
    },
  };
  return Object.freeze(bridge);
}
