import { describe, expect, it, vi, type Mock } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import { IPC_CHANNELS, type IpcChannel } from '../../../../common/ipc.js';
import { checkSender, handleInvoke, registerIpc, type IpcEventLike, type IpcHandlers } from '../../../../main/ipc/registerIpc.js';

const MAIN_ID = 1;
const RING_ID = 2;
const senders = { mainContentsId: () => MAIN_ID, ringContentsId: () => RING_ID };
const event = (id: number, url = 'app://earshot/index.html', parent: unknown = null): IpcEventLike => ({ sender: { id }, senderFrame: { url, parent } });

/** Fakes for every channel: callable as IpcHandlers, inspectable as mocks. */
function handlers(): IpcHandlers & Record<IpcChannel, Mock> {
  return {
    'notify:show': vi.fn(() => true),
    'settings:get': vi.fn(() => 0.5),
    'settings:set': vi.fn(),
    'session:get': vi.fn(() => 'tok'),
    'session:set': vi.fn(),
    'badge:set': vi.fn(),
    'devices:report': vi.fn(),
    'state:report': vi.fn(),
    'ring:started': vi.fn(),
    'ring:ended': vi.fn(),
    'ring:current': vi.fn(() => null),
    'ring:answer': vi.fn(),
  } as never;
}

describe('registerIpc', () => {
  describe('checkSender', () => {
    it('accepts the main window on main channels and the ring window on ring channels', () => {
      expect(checkSender('main', event(MAIN_ID), senders)).toBeNull();
      expect(checkSender('ring', event(RING_ID, 'app://earshot/index.html#/ring'), senders)).toBeNull();
      expect(checkSender('app', event(RING_ID), senders)).toBeNull();
      expect(checkSender('app', event(MAIN_ID), senders)).toBeNull();
    });

    it('refuses the wrong window, foreign origins, subframes and vanished frames', () => {
      expect(checkSender('main', event(RING_ID), senders)).toMatch(/only the main window/);
      expect(checkSender('ring', event(MAIN_ID), senders)).toMatch(/only the ring window/);
      expect(checkSender('app', event(99), senders)).toMatch(/not an Earshot window/);
      expect(checkSender('main', event(MAIN_ID, 'https://evil.example/'), senders)).toMatch(/origin https:\/\/evil.example/);
      expect(checkSender('main', event(MAIN_ID, 'file:///tmp/x.html'), senders)).toMatch(/origin/);
      expect(checkSender('main', event(MAIN_ID, 'app://earshot/', { url: 'app://earshot/' }), senders)).toMatch(/top frame/);
      expect(checkSender('main', { sender: { id: MAIN_ID }, senderFrame: null }, senders)).toMatch(/gone/);
    });

    it('refuses the ring channels when no ring window is open', () => {
      expect(checkSender('ring', event(RING_ID), { mainContentsId: () => MAIN_ID, ringContentsId: () => null })).toMatch(/only the ring window/);
    });
  });

  describe('handleInvoke', () => {
    it('runs the handler with parsed arguments and wraps the result', async () => {
      const h = handlers();
      expect(await handleInvoke('settings:get', event(MAIN_ID), ['ringVolume'], h, senders)).toEqual({ ok: true, value: 0.5 });
      expect(h['settings:get']).toHaveBeenCalledWith('ringVolume');
      expect(await handleInvoke('ring:answer', event(RING_ID), ['c1', 'busy'], h, senders)).toEqual({ ok: true, value: null });
      expect(h['ring:answer']).toHaveBeenCalledWith('c1', 'busy');
    });

    it.each([
      ['settings:get', ['nope']],
      ['settings:get', []],
      ['settings:get', ['ringVolume', 'extra']],
      ['settings:set', ['ringVolume', 2]],
      ['settings:set', ['microphone', { id: 5 }]],
      ['settings:set', ['__proto__', 1]],
      ['badge:set', [-1]],
      ['badge:set', [1.5]],
      ['session:set', [42]],
      ['devices:report', [{ devices: 'all' }]],
      ['state:report', [{ signedIn: true }]],
      ['ring:started', [{ callId: '', callerName: 'x', conversationId: 1 }]],
      ['ring:ended', ['c1']],
      ['notify:show', [{ title: 'x'.repeat(1000), body: '' }]],
      ['notify:show', [{ title: 't', body: 'b', onclick: 'evil' }]],
    ] as const)('refuses %s with %j as BAD_REQUEST without calling the handler', async (channel, args) => {
      const h = handlers();
      const reply = await handleInvoke(channel, event(MAIN_ID), [...args], h, senders);
      expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(h[channel]).not.toHaveBeenCalled();
    });

    it('refuses a ring answer from the main window as FORBIDDEN', async () => {
      const h = handlers();
      const reply = await handleInvoke('ring:answer', event(MAIN_ID), ['c1', 'accept'], h, senders);
      expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'ring:answer: only the ring window may use this channel' } });
      expect(h['ring:answer']).not.toHaveBeenCalled();
    });

    it('refuses the session token to the ring window', async () => {
      const h = handlers();
      expect(await handleInvoke('session:get', event(RING_ID), [], h, senders)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });

    it('passes an EarshotError through and hides other errors as INTERNAL', async () => {
      const h = handlers();
      h['settings:set'].mockImplementation(() => {
        throw new EarshotError('BAD_REQUEST', 'muteShortcut taken');
      });
      expect(await handleInvoke('settings:set', event(MAIN_ID), ['muteShortcut', 'Ctrl+M'], h, senders)).toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'muteShortcut taken' },
      });
      h['session:get'].mockImplementation(() => {
        throw new Error('disk on fire at /home/secret');
      });
      expect(await handleInvoke('session:get', event(MAIN_ID), [], h, senders)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'session:get: internal error' } });
    });
  });

  it('registers every channel of the contract, and removes them', async () => {
    const registered = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
    const ipcMain = { handle: (c: string, l: (e: IpcEventLike, ...a: unknown[]) => unknown) => void registered.set(c, l), removeHandler: (c: string) => void registered.delete(c) };
    const dispose = registerIpc(ipcMain, handlers(), senders);
    expect([...registered.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
    expect(await registered.get('badge:set')?.(event(MAIN_ID), 3)).toEqual({ ok: true, value: null });
    dispose();
    expect(registered.size).toBe(0);
  });
});
