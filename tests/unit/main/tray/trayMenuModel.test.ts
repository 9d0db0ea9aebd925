import { describe, expect, it } from 'vitest';
import type { HostState } from '../../../../common/bridge.js';
import { deviceMenus } from '../../../../main/devices/deviceMenuModel.js';
import { findMenuItem } from '../../../../main/menu/menuModel.js';
import { trayIcon, trayModel } from '../../../../main/tray/trayMenuModel.js';

const state = (s: Partial<HostState> = {}): HostState => ({ signedIn: true, presence: 'online', inCall: false, muted: false, ...s });
const devices = deviceMenus(
  { devices: [{ kind: 'audioinput', deviceId: 'm1', label: 'Mic' }, { kind: 'audiooutput', deviceId: 's1', label: 'Speakers' }], activeMicrophoneId: 'm1', activeSpeakerId: '', activeRingDeviceId: '' },
  { microphone: null, speaker: null, ringDevice: null },
);

describe('trayMenuModel', () => {
  it('picks the icon: signed out, available, dnd, in call, muted', () => {
    expect(trayIcon(state({ signedIn: false }))).toBe('signed-out');
    expect(trayIcon(state())).toBe('available');
    expect(trayIcon(state({ presence: 'dnd' }))).toBe('dnd');
    expect(trayIcon(state({ inCall: true }))).toBe('in-call');
    expect(trayIcon(state({ inCall: true, muted: true, presence: 'dnd' }))).toBe('muted');
    // Muted outside a call means nothing on the icon.
    expect(trayIcon(state({ muted: true }))).toBe('available');
  });

  it('shows status and missed calls in the tooltip', () => {
    expect(trayModel({ state: state(), missedCalls: 0, devices }).tooltip).toBe('Earshot — Available');
    expect(trayModel({ state: state({ presence: 'dnd' }), missedCalls: 1, devices }).tooltip).toBe('Earshot — Do not disturb · 1 missed call');
    expect(trayModel({ state: state(), missedCalls: 3, devices }).tooltip).toBe('Earshot — Available · 3 missed calls');
  });

  it('has open, status radio, mute, device submenus and quit', () => {
    const { menu } = trayModel({ state: state({ presence: 'dnd' }), missedCalls: 0, devices });
    expect(menu.filter((i) => 'id' in i).map((i) => ('id' in i ? i.id : ''))).toEqual(['open', 'status', 'mute', 'microphone', 'speaker', 'quit']);
    expect(findMenuItem(menu, 'status:dnd')).toMatchObject({ kind: 'radio', checked: true, action: { type: 'command', command: { type: 'setPresence', presence: 'dnd' } } });
    expect(findMenuItem(menu, 'status:online')).toMatchObject({ checked: false });
    expect(findMenuItem(menu, 'microphone:m1')).toMatchObject({ kind: 'radio', checked: true });
    expect(findMenuItem(menu, 'speaker:default')).toMatchObject({ checked: true });
    expect(findMenuItem(menu, 'open')).toMatchObject({ action: { type: 'open' } });
    expect(findMenuItem(menu, 'quit')).toMatchObject({ action: { type: 'quit' } });
  });

  it('offers Mute only in a call, and Unmute when muted', () => {
    expect(findMenuItem(trayModel({ state: state(), missedCalls: 0, devices }).menu, 'mute')).toMatchObject({ label: 'Mute', enabled: false });
    expect(findMenuItem(trayModel({ state: state({ inCall: true, muted: true }), missedCalls: 0, devices }).menu, 'mute')).toMatchObject({
      label: 'Unmute',
      enabled: true,
      action: { type: 'command', command: { type: 'toggleMute' } },
    });
  });

  it('lists missed calls as an item that clears them, only when there are some', () => {
    expect(findMenuItem(trayModel({ state: state(), missedCalls: 0, devices }).menu, 'missed')).toBeUndefined();
    expect(findMenuItem(trayModel({ state: state(), missedCalls: 2, devices }).menu, 'missed')).toMatchObject({ label: '2 missed calls — show', action: { type: 'clearMissed' } });
  });

  it('disables the status switch when signed out', () => {
    expect(findMenuItem(trayModel({ state: state({ signedIn: false }), missedCalls: 0, devices }).menu, 'status')).toMatchObject({ enabled: false });
  });
});
