import type { HostState } from '../../common/bridge.js';
import type { DeviceMenus } from '../devices/deviceMenuModel.js';
import type { MenuItemModel } from '../menu/menuModel.js';

/**
 * The tray as a pure function of the app's state: which icon, what tooltip, which menu.
 * Icon priority: signed out < available < do not disturb < in call < muted (in a call).
 */

export type TrayIconName = 'signed-out' | 'available' | 'dnd' | 'in-call' | 'muted';
export const TRAY_ICON_NAMES: readonly TrayIconName[] = ['signed-out', 'available', 'dnd', 'in-call', 'muted'];

export interface TrayInput {
  state: HostState;
  /** Calls that rang while unanswered or during do-not-disturb since the count was last cleared. */
  missedCalls: number;
  devices: DeviceMenus;
}

export interface TrayModel {
  icon: TrayIconName;
  tooltip: string;
  menu: MenuItemModel[];
}

export function trayIcon(state: HostState): TrayIconName {
  if (!state.signedIn) return 'signed-out';
  if (state.inCall) return state.muted ? 'muted' : 'in-call';
  return state.presence === 'dnd' ? 'dnd' : 'available';
}

const STATUS_TEXT: Record<TrayIconName, string> = {
  'signed-out': 'Signed out',
  available: 'Available',
  dnd: 'Do not disturb',
  'in-call': 'In a call',
  muted: 'In a call (muted)',
};

export function missedCallsText(count: number): string {
  return count === 1 ? '1 missed call' : `${count} missed calls`;
}

export function trayModel(input: TrayInput): TrayModel {
  const icon = trayIcon(input.state);
  const tooltip = `Earshot — ${STATUS_TEXT[icon]}${input.missedCalls > 0 ? ` · ${missedCallsText(input.missedCalls)}` : ''}`;
  const { signedIn, presence, inCall, muted } = input.state;
  const menu: MenuItemModel[] = [
    { kind: 'normal', id: 'open', label: 'Open Earshot', action: { type: 'open' } },
    ...(input.missedCalls > 0
      ? [{ kind: 'normal', id: 'missed', label: `${missedCallsText(input.missedCalls)} — show`, action: { type: 'clearMissed' } } as const]
      : []),
    { kind: 'separator' },
    {
      kind: 'submenu',
      id: 'status',
      label: 'Status',
      enabled: signedIn,
      submenu: [
        { kind: 'radio', id: 'status:online', label: 'Available', checked: presence === 'online', action: { type: 'command', command: { type: 'setPresence', presence: 'online' } } },
        { kind: 'radio', id: 'status:dnd', label: 'Do Not Disturb', checked: presence === 'dnd', action: { type: 'command', command: { type: 'setPresence', presence: 'dnd' } } },
      ],
    },
    { kind: 'normal', id: 'mute', label: muted ? 'Unmute' : 'Mute', enabled: inCall, action: { type: 'command', command: { type: 'toggleMute' } } },
    { kind: 'separator' },
    { kind: 'submenu', id: 'microphone', label: 'Microphone', submenu: input.devices.microphone },
    { kind: 'submenu', id: 'speaker', label: 'Speaker', submenu: input.devices.speaker },
    { kind: 'separator' },
    { kind: 'normal', id: 'quit', label: 'Quit Earshot', action: { type: 'quit' } },
  ];
  return { icon, tooltip, menu };
}
