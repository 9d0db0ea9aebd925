import { describe, expect, it, vi } from 'vitest';
import { deviceMenus } from '../../../../main/devices/deviceMenuModel.js';
import type { MenuAction, MenuTemplateItem } from '../../../../main/menu/menuModel.js';
import { AppTray } from '../../../../main/tray/AppTray.js';
import { trayModel } from '../../../../main/tray/trayMenuModel.js';

const devices = deviceMenus(null, { microphone: null, speaker: null, ringDevice: null });
const model = (inCall: boolean) => trayModel({ state: { signedIn: true, presence: 'online', inCall, muted: false }, missedCalls: 0, devices });

function fakeTray() {
  const calls: string[] = [];
  let click: (() => void) | undefined;
  const tray = {
    setImage: vi.fn((img: string) => calls.push(`image:${img}`)),
    setToolTip: vi.fn((t: string) => calls.push(`tooltip:${t}`)),
    setContextMenu: vi.fn((_m: MenuTemplateItem[]) => calls.push('menu')),
    on: (_e: 'click', l: () => void) => (click = l),
    destroy: vi.fn(),
  };
  return { tray, calls, click: () => click?.() };
}

describe('AppTray', () => {
  it('creates the tray with the icon, then updates only what changed', () => {
    const fake = fakeTray();
    const created: string[] = [];
    const actions: MenuAction[] = [];
    const tray = new AppTray<string, MenuTemplateItem[]>({
      createTray: (img) => (created.push(img), fake.tray),
      image: (name) => `icon:${name}`,
      buildMenu: (t) => t,
      dispatch: (a) => actions.push(a),
    });
    tray.update(model(false));
    expect(created).toEqual(['icon:available']);
    expect(fake.calls).toEqual(['tooltip:Earshot — Available', 'menu']);
    fake.calls.length = 0;
    tray.update(model(false));
    expect(fake.calls).toEqual([]);
    tray.update(model(true));
    expect(fake.calls).toEqual(['image:icon:in-call', 'tooltip:Earshot — In a call', 'menu']);
    fake.click();
    expect(actions).toEqual([{ type: 'open' }]);
  });

  it('carries on without a tray when the desktop has none, reporting it once', () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const tray = new AppTray<string, MenuTemplateItem[]>({
      createTray: () => {
        attempts++;
        throw new Error('no StatusNotifier host');
      },
      image: (name) => name,
      buildMenu: (t) => t,
      dispatch: () => undefined,
      onUnavailable: (e) => errors.push(e),
    });
    expect(() => tray.update(model(false))).not.toThrow();
    tray.update(model(true));
    expect(attempts).toBe(1);
    expect(errors).toHaveLength(1);
    expect(tray.exists).toBe(false);
  });

  it('menu clicks dispatch the item action', () => {
    const fake = fakeTray();
    const actions: MenuAction[] = [];
    const tray = new AppTray<string, MenuTemplateItem[]>({ createTray: () => fake.tray, image: (n) => n, buildMenu: (t) => t, dispatch: (a) => actions.push(a) });
    tray.update(model(false));
    const template = fake.tray.setContextMenu.mock.calls[0]?.[0] ?? [];
    template.find((i) => i.id === 'quit')?.click?.();
    template.find((i) => i.id === 'status')?.submenu?.find((i) => i.id === 'status:dnd')?.click?.();
    expect(actions).toEqual([{ type: 'quit' }, { type: 'command', command: { type: 'setPresence', presence: 'dnd' } }]);
  });
});
