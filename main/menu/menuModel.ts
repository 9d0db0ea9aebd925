import type { HostCommand } from '../../common/bridge.js';

/**
 * A native menu described as data, so the tray menu, the Devices menu and their radio states are
 * built and tested without Electron; `toMenuTemplate` turns it into Electron's template.
 */

/** What clicking an item does. */
export type MenuAction =
  /** Forward a command to the main window's renderer. */
  | { type: 'command'; command: HostCommand }
  /** Show and focus the main window. */
  | { type: 'open' }
  /** Quit the app (not just close the window). */
  | { type: 'quit' }
  /** Reset the missed-call count. */
  | { type: 'clearMissed' };

export type MenuItemModel =
  | { kind: 'separator' }
  | { kind: 'normal'; id: string; label: string; enabled?: boolean; action?: MenuAction; accelerator?: string }
  | { kind: 'radio'; id: string; label: string; checked: boolean; enabled?: boolean; action?: MenuAction }
  | { kind: 'checkbox'; id: string; label: string; checked: boolean; enabled?: boolean; action?: MenuAction }
  | { kind: 'submenu'; id: string; label: string; submenu: MenuItemModel[]; enabled?: boolean }
  /** A platform menu role (edit commands, window controls). */
  | { kind: 'role'; role: string };

/** Electron's MenuItemConstructorOptions, the fields we use. */
export interface MenuTemplateItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  role?: string;
  checked?: boolean;
  enabled?: boolean;
  accelerator?: string;
  submenu?: MenuTemplateItem[];
  click?: () => void;
}

export function toMenuTemplate(items: MenuItemModel[], dispatch: (action: MenuAction) => void): MenuTemplateItem[] {
  return items.map((item): MenuTemplateItem => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'role':
        return { role: item.role };
      case 'submenu':
        return { id: item.id, label: item.label, type: 'submenu', enabled: item.enabled ?? true, submenu: toMenuTemplate(item.submenu, dispatch) };
      case 'normal':
      case 'radio':
      case 'checkbox': {
        const action = item.action;
        return {
          id: item.id,
          label: item.label,
          type: item.kind,
          enabled: item.enabled ?? true,
          ...(item.kind !== 'normal' ? { checked: item.checked } : {}),
          ...(item.kind === 'normal' && item.accelerator ? { accelerator: item.accelerator } : {}),
          ...(action ? { click: () => dispatch(action) } : {}),
        };
      }
      default:
        return assertUnreachable(item);
    }
  });
}

/** Find an item by id anywhere in a model (tests and test hooks). */
export function findMenuItem(items: MenuItemModel[], id: string): MenuItemModel | undefined {
  for (const item of items) {
    if ('id' in item && item.id === id) return item;
    if (item.kind === 'submenu') {
      const found = findMenuItem(item.submenu, id);
      if (found) return found;
    }
  }
  return undefined;
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
