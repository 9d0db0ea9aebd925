import { describe, expect, it } from 'vitest';
import { deviceMenus } from '../../../../main/devices/deviceMenuModel.js';
import { appMenuModel } from '../../../../main/menu/appMenuModel.js';
import { findMenuItem, toMenuTemplate, type MenuAction } from '../../../../main/menu/menuModel.js';

describe('toMenuTemplate', () => {
  it('maps kinds to Electron item types and wires clicks', () => {
    const actions: MenuAction[] = [];
    const template = toMenuTemplate(
      [
        { kind: 'normal', id: 'open', label: 'Open', action: { type: 'open' }, accelerator: 'Ctrl+O' },
        { kind: 'separator' },
        { kind: 'radio', id: 'r', label: 'R', checked: true, enabled: false },
        { kind: 'submenu', id: 's', label: 'S', submenu: [{ kind: 'checkbox', id: 'c', label: 'C', checked: false, action: { type: 'quit' } }] },
        { kind: 'role', role: 'copy' },
      ],
      (a) => actions.push(a),
    );
    expect(template[0]).toMatchObject({ id: 'open', type: 'normal', label: 'Open', accelerator: 'Ctrl+O', enabled: true });
    expect(template[1]).toEqual({ type: 'separator' });
    expect(template[2]).toMatchObject({ type: 'radio', checked: true, enabled: false });
    expect(template[2]?.click).toBeUndefined();
    expect(template[4]).toEqual({ role: 'copy' });
    template[0]?.click?.();
    template[3]?.submenu?.[0]?.click?.();
    expect(actions).toEqual([{ type: 'open' }, { type: 'quit' }]);
  });
});

describe('appMenuModel', () => {
  const devices = deviceMenus(
    { devices: [{ kind: 'audiooutput', deviceId: 'o1', label: 'Speakers' }], activeMicrophoneId: '', activeSpeakerId: 'o1', activeRingDeviceId: '' },
    { microphone: null, speaker: null, ringDevice: null },
  );

  it('has a Devices menu with microphone, speaker and ring device', () => {
    const menu = appMenuModel(devices, { platform: 'linux', devTools: false });
    expect(findMenuItem(menu, 'devices')).toMatchObject({ label: 'Devices' });
    expect(findMenuItem(menu, 'devices:ringDevice')).toMatchObject({ label: 'Ring Device' });
    expect(findMenuItem(menu, 'speaker:o1')).toMatchObject({ checked: true });
  });

  it('offers developer tools only when asked (not in packaged builds)', () => {
    const roles = (devTools: boolean) => JSON.stringify(appMenuModel(devices, { platform: 'linux', devTools }));
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('toggleDevTools');
  });

  it('uses the app menu on macOS and a File menu elsewhere', () => {
    expect(findMenuItem(appMenuModel(devices, { platform: 'darwin', devTools: false }), 'app')).toBeDefined();
    expect(findMenuItem(appMenuModel(devices, { platform: 'win32', devTools: false }), 'file')).toBeDefined();
  });
});
