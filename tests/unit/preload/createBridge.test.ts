import { describe, expect, it, vi } from 'vitest';
import type { HostCommand } from '../../../common/bridge.js';
import { HOST_COMMAND_CHANNEL } from '../../../common/ipc.js';
import { createBridge, type IpcRendererLike } from '../../../preload/createBridge.js';

function fakeIpc(reply: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null })) {
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const ipc: IpcRendererLike & { invoke: ReturnType<typeof vi.fn> } = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => reply(channel, args)),
    on: (c, l) => listeners.set(c, (listeners.get(c) ?? new Set()).add(l)),
    removeListener: (c, l) => listeners.get(c)?.delete(l),
  };
  const emit = (c: string, ...a: unknown[]) => listeners.get(c)?.forEach((l) => l({ sender: 'electron internals' }, ...a));
  return { ipc, emit, listeners };
}

describe('createBridge', () => {
  it('maps each method to its channel with its arguments', async () => {
    const { ipc } = fakeIpc();
    const bridge = createBridge(ipc);
    await bridge.setSetting('ringVolume', 0.5);
    await bridge.answerRing('c1', 'busy');
    await bridge.ringEnded('c1', true);
    await bridge.reportState({ signedIn: true, presence: 'dnd', inCall: false, muted: false });
    await bridge.getSessionToken();
    expect(ipc.invoke.mock.calls).toEqual([
      ['settings:set', 'ringVolume', 0.5],
      ['ring:answer', 'c1', 'busy'],
      ['ring:ended', 'c1', true],
      ['state:report', { signedIn: true, presence: 'dnd', inCall: false, muted: false }],
      ['session:get'],
    ]);
    expect(bridge.platform).toBe('electron');
  });

  it('resolves with the value of an ok reply', async () => {
    const { ipc } = fakeIpc((channel) => (channel === 'settings:get' ? { ok: true, value: 'http://x:1' } : { ok: true, value: null }));
    expect(await createBridge(ipc).getSetting('serverUrl')).toBe('http://x:1');
  });

  it('rejects with the code first in the message for a refused call', async () => {
    const { ipc } = fakeIpc(() => ({ ok: false, error: { code: 'BAD_REQUEST', message: 'badge:set: arg 0: Too small' } }));
    await expect(createBridge(ipc).setBadgeCount(-1)).rejects.toThrow('BAD_REQUEST: badge:set: arg 0: Too small');
  });

  it('delivers valid host commands without the Electron event, drops malformed ones, and unsubscribes', () => {
    const { ipc, emit, listeners } = fakeIpc();
    const got: HostCommand[] = [];
    const off = createBridge(ipc).onCommand((c) => got.push(c));
    emit(HOST_COMMAND_CHANNEL, { type: 'toggleMute' });
    emit(HOST_COMMAND_CHANNEL, { type: 'rm -rf' });
    emit(HOST_COMMAND_CHANNEL, { type: 'openConversation', conversationId: -1 });
    emit(HOST_COMMAND_CHANNEL, { type: 'joinGroupCall', conversationId: 4 });
    expect(got).toEqual([{ type: 'toggleMute' }, { type: 'joinGroupCall', conversationId: 4 }]);
    off();
    expect(listeners.get(HOST_COMMAND_CHANNEL)?.size).toBe(0);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(createBridge(fakeIpc().ipc))).toBe(true);
  });
});
