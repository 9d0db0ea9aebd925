import type { DeviceMenus } from '../devices/deviceMenuModel.js';
import type { MenuItemModel } from './menuModel.js';

/**
 * The application menu: app / Edit / View / Devices / Window. The Devices menu mirrors the tray's
 * device submenus and adds the ring device. No developer tools in packaged builds.
 */
export function appMenuModel(devices: DeviceMenus, options: { platform: NodeJS.Platform; devTools: boolean }): MenuItemModel[] {
  const appMenu: MenuItemModel =
    options.platform === 'darwin'
      ? {
          kind: 'submenu',
          id: 'app',
          label: 'Earshot',
          submenu: [{ kind: 'role', role: 'about' }, { kind: 'separator' }, { kind: 'role', role: 'hide' }, { kind: 'role', role: 'quit' }],
        }
      : {
          kind: 'submenu',
          id: 'file',
          label: 'File',
          submenu: [
            // The close role closes the window, which hides it to the tray when that setting is on.
            { kind: 'role', role: 'close' },
            { kind: 'normal', id: 'file:quit', label: 'Quit', accelerator: 'CommandOrControl+Q', action: { type: 'quit' } },
          ],
        };
  return [
    appMenu,
    {
      kind: 'submenu',
      id: 'edit',
      label: 'Edit',
      submenu: ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'].map((role) => ({ kind: 'role', role }) as const),
    },
    {
      kind: 'submenu',
      id: 'view',
      label: 'View',
      submenu: [
        { kind: 'role', role: 'reload' },
        ...(options.devTools ? [{ kind: 'role', role: 'toggleDevTools' } as const] : []),
        { kind: 'separator' },
        { kind: 'role', role: 'resetZoom' },
        { kind: 'role', role: 'zoomIn' },
        { kind: 'role', role: 'zoomOut' },
      ],
    },
    {
      kind: 'submenu',
      id: 'devices',
      label: 'Devices',
      submenu: [
        { kind: 'submenu', id: 'devices:microphone', label: 'Microphone', submenu: devices.microphone },
        { kind: 'submenu', id: 'devices:speaker', label: 'Speaker', submenu: devices.speaker },
        { kind: 'submenu', id: 'devices:ringDevice', label: 'Ring Device', submenu: devices.ringDevice },
      ],
    },
    { kind: 'submenu', id: 'window', label: 'Window', submenu: [{ kind: 'role', role: 'minimize' }] },
  ];
}
