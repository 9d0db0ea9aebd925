import { describe, expect, it } from 'vitest';
import type { AudioDevice, DeviceReport } from '../../../../common/bridge.js';
import { deviceMenus, deviceSubmenu, matchDevice, type SavedDevices } from '../../../../main/devices/deviceMenuModel.js';
import { findMenuItem } from '../../../../main/menu/menuModel.js';

const mic = (deviceId: string, label: string): AudioDevice => ({ kind: 'audioinput', deviceId, label });
const out = (deviceId: string, label: string): AudioDevice => ({ kind: 'audiooutput', deviceId, label });
const NONE: SavedDevices = { microphone: null, speaker: null, ringDevice: null };

const report = (devices: AudioDevice[], active: Partial<DeviceReport> = {}): DeviceReport => ({
  devices,
  activeMicrophoneId: '',
  activeSpeakerId: '',
  activeRingDeviceId: '',
  ...active,
});

describe('deviceMenuModel', () => {
  describe('matchDevice', () => {
    const devices = [mic('default', 'Default'), mic('a1', 'USB Headset'), mic('b2', 'Built-in Mic'), out('a1', 'USB Headset')];

    it('matches by id first', () => {
      expect(matchDevice(devices, 'audioinput', { id: 'b2', label: 'renamed' })?.deviceId).toBe('b2');
    });

    it('falls back to the label when the id changed', () => {
      expect(matchDevice(devices, 'audioinput', { id: 'old-id', label: 'USB Headset' })?.deviceId).toBe('a1');
    });

    it('respects the kind', () => {
      expect(matchDevice([out('x', 'Speakers')], 'audioinput', { id: 'x', label: 'Speakers' })).toBeNull();
    });

    it('finds nothing for an absent device, no choice, or an empty label', () => {
      expect(matchDevice(devices, 'audioinput', { id: 'gone', label: 'Gone' })).toBeNull();
      expect(matchDevice(devices, 'audioinput', null)).toBeNull();
      expect(matchDevice([mic('n', '')], 'audioinput', { id: 'old', label: '' })).toBeNull();
    });

    it('does not guess between two devices with the same label', () => {
      expect(matchDevice([mic('h1', 'Headset'), mic('h2', 'Headset')], 'audioinput', { id: 'old', label: 'Headset' })).toBeNull();
      expect(matchDevice([mic('h1', 'Headset'), mic('h2', 'Headset')], 'audioinput', { id: 'h2', label: 'Headset' })?.deviceId).toBe('h2');
    });

    it('never matches the pseudo "default" device', () => {
      expect(matchDevice(devices, 'audioinput', { id: 'default', label: 'Default' })).toBeNull();
    });
  });

  describe('deviceSubmenu', () => {
    it('lists System Default and each device of the role, the active one checked', () => {
      const items = deviceSubmenu(report([mic('default', 'Default'), mic('a1', 'USB Headset'), mic('b2', 'Built-in'), out('o1', 'Speakers')], { activeMicrophoneId: 'a1' }), NONE, 'microphone');
      expect(items.map((i) => ('label' in i ? i.label : '-'))).toEqual(['System Default', 'USB Headset', 'Built-in']);
      expect(items.filter((i) => i.kind === 'radio' && i.checked).map((i) => ('id' in i ? i.id : ''))).toEqual(['microphone:a1']);
    });

    it('checks System Default when the active device is the default', () => {
      const items = deviceSubmenu(report([out('o1', 'Speakers')]), NONE, 'speaker');
      expect(findMenuItem(items, 'speaker:default')).toMatchObject({ checked: true });
      expect(findMenuItem(items, 'speaker:o1')).toMatchObject({ checked: false });
    });

    it('picking an item sends chooseDevice with id and label (null for the default)', () => {
      const items = deviceSubmenu(report([out('o1', 'Speakers')]), NONE, 'ringDevice');
      expect(findMenuItem(items, 'ringDevice:o1')).toMatchObject({
        action: { type: 'command', command: { type: 'chooseDevice', role: 'ringDevice', device: { id: 'o1', label: 'Speakers' } } },
      });
      expect(findMenuItem(items, 'ringDevice:default')).toMatchObject({
        action: { type: 'command', command: { type: 'chooseDevice', role: 'ringDevice', device: null } },
      });
    });

    it('ring device: "Same as Speaker" stays checked while nothing (connected) is chosen, though the speaker is in use', () => {
      const devices = [out('o1', 'USB Speaker'), out('o2', 'Built-in')];
      const following = deviceSubmenu(report(devices, { activeSpeakerId: 'o1', activeRingDeviceId: 'o1' }), NONE, 'ringDevice');
      expect(findMenuItem(following, 'ringDevice:default')).toMatchObject({ label: 'Same as Speaker', checked: true });
      expect(findMenuItem(following, 'ringDevice:o1')).toMatchObject({ checked: false });
      const chosen = deviceSubmenu(report(devices, { activeSpeakerId: 'o1', activeRingDeviceId: 'o2' }), { ...NONE, ringDevice: { id: 'o2', label: 'Built-in' } }, 'ringDevice');
      expect(findMenuItem(chosen, 'ringDevice:o2')).toMatchObject({ checked: true });
      expect(findMenuItem(chosen, 'ringDevice:default')).toMatchObject({ checked: false });
      // The chosen ring device unplugged: it rings on the speaker again, shown as such.
      const unplugged = deviceSubmenu(report([out('o1', 'USB Speaker')], { activeSpeakerId: 'o1', activeRingDeviceId: 'o1' }), { ...NONE, ringDevice: { id: 'o2', label: 'Built-in' } }, 'ringDevice');
      expect(findMenuItem(unplugged, 'ringDevice:default')).toMatchObject({ checked: true });
      expect(findMenuItem(unplugged, 'ringDevice:missing')).toMatchObject({ label: 'Built-in (disconnected)' });
      // The speaker's default is the system's.
      expect(findMenuItem(deviceSubmenu(report(devices), NONE, 'speaker'), 'speaker:default')).toMatchObject({ label: 'System Default' });
    });

    it('shows an unplugged chosen device as disconnected, with the default checked (fallback)', () => {
      const saved = { ...NONE, microphone: { id: 'a1', label: 'USB Headset' } };
      const items = deviceSubmenu(report([mic('b2', 'Built-in')]), saved, 'microphone');
      expect(findMenuItem(items, 'microphone:missing')).toEqual({ kind: 'normal', id: 'microphone:missing', label: 'USB Headset (disconnected)', enabled: false });
      expect(findMenuItem(items, 'microphone:default')).toMatchObject({ checked: true });
    });

    it('does not show disconnected when the chosen device came back with a new id', () => {
      const saved = { ...NONE, microphone: { id: 'a1', label: 'USB Headset' } };
      const items = deviceSubmenu(report([mic('z9', 'USB Headset')], { activeMicrophoneId: 'z9' }), saved, 'microphone');
      expect(findMenuItem(items, 'microphone:missing')).toBeUndefined();
      expect(findMenuItem(items, 'microphone:z9')).toMatchObject({ checked: true });
    });

    it('names unlabelled devices (before permission) by position', () => {
      const items = deviceSubmenu(report([mic('x', ''), mic('y', '')]), NONE, 'microphone');
      expect(items.map((i) => ('label' in i ? i.label : ''))).toEqual(['System Default', 'Microphone 1', 'Microphone 2']);
    });
  });

  it('builds all three submenus, also before the first report', () => {
    const menus = deviceMenus(null, NONE);
    expect(menus.microphone).toHaveLength(1);
    expect(menus.speaker).toHaveLength(1);
    expect(menus.ringDevice).toHaveLength(1);
  });
});
