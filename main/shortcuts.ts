/**
 * The global mute shortcut (setting `muteShortcut`, Electron accelerator syntax; empty = none).
 * Changing it registers the new one first and only then releases the old one, so an invalid or
 * taken accelerator is reported and the old one keeps working.
 */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export type ShortcutResult = { ok: true } | { ok: false; reason: 'invalid' | 'unavailable' };

const MODIFIERS = new Set([
  'command', 'cmd', 'control', 'ctrl', 'commandorcontrol', 'cmdorctrl', 'alt', 'option', 'altgr', 'shift', 'super', 'meta',
]);
const KEYS = new RegExp(
  '^(?:[a-z0-9]|f(?:[1-9]|1[0-9]|2[0-4])|[)!@#$%^&*(:;+=<,_>.?/~`{\\]|}\\[\\\\\'"-]|plus|space|tab|capslock|numlock|scrolllock|' +
    'backspace|delete|insert|return|enter|up|down|left|right|home|end|pageup|pagedown|escape|esc|' +
    'volumeup|volumedown|volumemute|medianexttrack|mediaprevioustrack|mediastop|mediaplaypause|printscreen|' +
    'num[0-9]|numdec|numadd|numsub|nummult|numdiv)$',
);

/**
 * Syntax check of an accelerator: modifiers joined by `+`, exactly one key at the end, at least
 * one modifier (a global shortcut without a modifier would swallow a normal key everywhere).
 */
export function isValidAccelerator(accelerator: string): boolean {
  if (accelerator.length === 0 || accelerator.length > 64) return false;
  const parts = accelerator.split('+');
  // "Ctrl++" means Ctrl and the plus key: split leaves two empty strings at the end.
  if (parts.length >= 3 && parts.at(-1) === '' && parts.at(-2) === '') parts.splice(-2, 2, '+');
  if (parts.length < 2 || parts.some((p) => p === '')) return false;
  const key = parts.at(-1)!.toLowerCase();
  const modifiers = parts.slice(0, -1).map((m) => m.toLowerCase());
  if (!modifiers.every((m) => MODIFIERS.has(m))) return false;
  if (new Set(modifiers).size !== modifiers.length) return false;
  return KEYS.test(key);
}

export class MuteShortcut {
  #current = '';

  constructor(
    private readonly globalShortcut: GlobalShortcutLike,
    private readonly onPress: () => void,
  ) {}

  /** The accelerator registered now ('' = none). */
  get current(): string {
    return this.#current;
  }

  apply(accelerator: string): ShortcutResult {
    const next = accelerator.trim();
    if (next === this.#current) return { ok: true };
    if (next === '') {
      this.release();
      return { ok: true };
    }
    if (!isValidAccelerator(next)) return { ok: false, reason: 'invalid' };
    let registered: boolean;
    try {
      registered = this.globalShortcut.register(next, this.onPress);
    } catch {
      return { ok: false, reason: 'invalid' }; // Electron throws on syntax it cannot parse.
    }
    if (!registered) return { ok: false, reason: 'unavailable' }; // Taken by another app.
    if (this.#current) this.globalShortcut.unregister(this.#current);
    this.#current = next;
    return { ok: true };
  }

  release(): void {
    if (this.#current) this.globalShortcut.unregister(this.#current);
    this.#current = '';
  }
}
