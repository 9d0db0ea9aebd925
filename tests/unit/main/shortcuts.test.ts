import { describe, expect, it } from 'vitest';
import { isValidAccelerator, MuteShortcut } from '../../../main/shortcuts.js';

function fakeGlobalShortcut(taken: string[] = []) {
  const registered = new Map<string, () => void>();
  return {
    registered,
    register: (acc: string, cb: () => void) => {
      if (taken.includes(acc)) return false;
      registered.set(acc, cb);
      return true;
    },
    unregister: (acc: string) => void registered.delete(acc),
  };
}

describe('shortcuts', () => {
  it.each(['CommandOrControl+Shift+M', 'Alt+F4', 'Ctrl+Space', 'Super+Shift+F12', 'Ctrl++', 'CmdOrCtrl+/', 'Control+Alt+Num5'])('accepts %s', (acc) => {
    expect(isValidAccelerator(acc)).toBe(true);
  });

  it.each(['', 'M', 'Ctrl+', '+M', 'Ctrl+Shift', 'Ctrl+Ctrl+M', 'Hyper+M', 'Ctrl+MM', 'Ctrl+F25', 'Ctrl+M+K', 'x'.repeat(70)])('refuses %j', (acc) => {
    expect(isValidAccelerator(acc)).toBe(false);
  });

  describe('MuteShortcut', () => {
    it('registers, and swaps to a new accelerator (new first, then the old released)', () => {
      const gs = fakeGlobalShortcut();
      let presses = 0;
      const shortcut = new MuteShortcut(gs, () => presses++);
      expect(shortcut.apply('Ctrl+Shift+M')).toEqual({ ok: true });
      gs.registered.get('Ctrl+Shift+M')?.();
      expect(presses).toBe(1);
      expect(shortcut.apply('Alt+M')).toEqual({ ok: true });
      expect([...gs.registered.keys()]).toEqual(['Alt+M']);
      expect(shortcut.current).toBe('Alt+M');
    });

    it('reports an invalid accelerator and keeps the old one', () => {
      const gs = fakeGlobalShortcut();
      const shortcut = new MuteShortcut(gs, () => undefined);
      shortcut.apply('Ctrl+Shift+M');
      expect(shortcut.apply('Shift')).toEqual({ ok: false, reason: 'invalid' });
      expect(shortcut.current).toBe('Ctrl+Shift+M');
      expect([...gs.registered.keys()]).toEqual(['Ctrl+Shift+M']);
    });

    it('reports an accelerator taken by another app and keeps the old one', () => {
      const gs = fakeGlobalShortcut(['Alt+M']);
      const shortcut = new MuteShortcut(gs, () => undefined);
      shortcut.apply('Ctrl+Shift+M');
      expect(shortcut.apply('Alt+M')).toEqual({ ok: false, reason: 'unavailable' });
      expect([...gs.registered.keys()]).toEqual(['Ctrl+Shift+M']);
    });

    it('treats a throwing register as invalid', () => {
      const shortcut = new MuteShortcut({ register: () => { throw new Error('parse'); }, unregister: () => undefined }, () => undefined);
      expect(shortcut.apply('Ctrl+M')).toEqual({ ok: false, reason: 'invalid' });
    });

    it('an empty setting releases the shortcut', () => {
      const gs = fakeGlobalShortcut();
      const shortcut = new MuteShortcut(gs, () => undefined);
      shortcut.apply('Ctrl+Shift+M');
      expect(shortcut.apply('')).toEqual({ ok: true });
      expect(gs.registered.size).toBe(0);
      expect(shortcut.current).toBe('');
    });
  });
});
