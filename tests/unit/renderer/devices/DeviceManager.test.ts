import { describe, expect, it, vi } from 'vitest';
import type { AudioDevice } from '../../../../common/bridge.js';
import { DeviceManager, type MediaDevicesLike } from '../../../../renderer/devices/DeviceManager.js';
import { silentLogger } from '../../../../renderer/lib/createLogger.js';
import { createAppStore } from '../../../../renderer/store/index.js';
import { memoryBridge } from '../fakes.js';

const mic = (deviceId: string, label: string): AudioDevice => ({ kind: 'audioinput', deviceId, label });
const out = (deviceId: string, label: string): AudioDevice => ({ kind: 'audiooutput', deviceId, label });

/** navigator.mediaDevices played by the test: `plug`/`unplug` change the list and fire devicechange. */
function fakeMediaDevices(initial: AudioDevice[]) {
  let devices = [...initial];
  const listeners = new Set<() => void>();
  const media: MediaDevicesLike & { getUserMedia: ReturnType<typeof vi.fn> } = {
    enumerateDevices: async () => devices,
    getUserMedia: vi.fn(async () => ({ getTracks: () => [{ stop: () => undefined }] }) as unknown as MediaStream),
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
  };
  return {
    media,
    listeners,
    set(next: AudioDevice[]) {
      devices = [...next];
      listeners.forEach((l) => l());
    },
  };
}

const base = [mic('default', 'Default'), mic('laptop', 'Laptop Mic'), out('default', 'Default'), out('speakers', 'Speakers')];
const headsetMic = mic('hs-in', 'Headset Mic');

async function setup(initial: AudioDevice[], options: { platform?: 'browser' | 'electron' } = {}) {
  const store = createAppStore();
  const { bridge, state } = memoryBridge(null, options.platform ?? 'browser');
  const media = fakeMediaDevices(initial);
  const micChanges: string[] = [];
  const manager = new DeviceManager({ store, bridge, mediaDevices: media.media, onMicrophoneChange: (id) => micChanges.push(id), logger: silentLogger });
  return { store, bridge, state, media, micChanges, manager };
}

describe('DeviceManager', () => {
  describe('#start', () => {
    it('enumerates, resolves the saved choice and reports the devices to the host', async () => {
      const t = await setup([...base, headsetMic]);
      t.state.settings.microphone = { id: 'hs-in', label: 'Headset Mic' };
      await t.manager.start();
      expect(t.store.getState().activeDevices.microphone).toBe('hs-in');
      expect(t.micChanges).toEqual(['hs-in']);
      expect(t.state.deviceReports.at(-1)).toEqual({
        devices: [mic('laptop', 'Laptop Mic'), out('speakers', 'Speakers'), headsetMic],
        activeMicrophoneId: 'hs-in',
        activeSpeakerId: '',
        activeRingDeviceId: '',
      });
    });

    it('reports each device\'s group (a headset\'s microphone and earpiece share it) so the host can offer them together', async () => {
      const headset = [{ ...mic('hs-in', 'Headset Mic'), groupId: 'g1' }, { ...out('hs-out', 'Headset Earpiece'), groupId: 'g1' }];
      const t = await setup([...base, ...headset]);
      await t.manager.start();
      expect(t.state.deviceReports.at(-1)?.devices.slice(-2)).toEqual(headset);
      // No group id, no groupId key (the schema's optional field, not an empty string).
      expect(Object.keys(t.state.deviceReports.at(-1)!.devices[0]!)).toEqual(['kind', 'deviceId', 'label']);
    });

    it('saves the new id of a device found by its label', async () => {
      const t = await setup([...base, mic('hs-new', 'Headset Mic')]);
      t.state.settings.microphone = { id: 'hs-old', label: 'Headset Mic' };
      await t.manager.start();
      expect(t.store.getState().activeDevices.microphone).toBe('hs-new');
      expect(t.state.settings.microphone).toEqual({ id: 'hs-new', label: 'Headset Mic' });
    });

    it('in Electron, opens the microphone once when devices have no names yet, then lists them again', async () => {
      const t = await setup([mic('x', '')], { platform: 'electron' });
      t.media.media.enumerateDevices = vi.fn().mockResolvedValueOnce([mic('x', '')]).mockResolvedValue([mic('x', 'Named Mic')]);
      await t.manager.start();
      expect(t.media.media.getUserMedia).toHaveBeenCalledTimes(1);
      expect(t.store.getState().audioDevices).toEqual([mic('x', 'Named Mic')]);
      // Names appearing is not a device being plugged in.
      expect(t.store.getState().deviceNotices).toEqual([]);
    });

    it('in a browser, never prompts for the microphone at start', async () => {
      const t = await setup([mic('x', '')]);
      await t.manager.start();
      expect(t.media.media.getUserMedia).not.toHaveBeenCalled();
    });
  });

  describe('hot-plug', () => {
    it('falls back to the system default when the chosen microphone is unplugged, and restores it when it is back', async () => {
      const t = await setup([...base, headsetMic]);
      t.state.settings.microphone = { id: 'hs-in', label: 'Headset Mic' };
      await t.manager.start();

      t.media.set(base);
      await t.manager.refresh();
      expect(t.store.getState().activeDevices.microphone).toBe('');
      expect(t.micChanges).toEqual(['hs-in', '']);
      expect(t.store.getState().deviceNotices.map((n) => n.text)).toEqual(['Headset Mic was disconnected — using the system default microphone']);
      expect(t.state.deviceReports.at(-1)?.activeMicrophoneId).toBe('');
      // The choice itself is kept, so it can come back.
      expect(t.state.settings.microphone).toEqual({ id: 'hs-in', label: 'Headset Mic' });

      t.media.set([...base, headsetMic]);
      await t.manager.refresh();
      expect(t.store.getState().activeDevices.microphone).toBe('hs-in');
      expect(t.micChanges).toEqual(['hs-in', '', 'hs-in']);
      expect(t.store.getState().deviceNotices.at(-1)?.text).toBe('Headset Mic was reconnected — using it again as the microphone');
    });

    it('offers a newly plugged device, and "Use" chooses, saves and applies it', async () => {
      const t = await setup(base);
      await t.manager.start();
      t.media.set([...base, headsetMic]);
      await t.manager.refresh();
      const [notice] = t.store.getState().deviceNotices;
      expect(notice).toMatchObject({ text: 'New microphone connected: Headset Mic', offer: { role: 'microphone', device: { id: 'hs-in', label: 'Headset Mic' } } });
      expect(t.store.getState().activeDevices.microphone).toBe('');

      await t.manager.useOffer(notice!.id);
      expect(t.state.settings.microphone).toEqual({ id: 'hs-in', label: 'Headset Mic' });
      expect(t.store.getState().activeDevices.microphone).toBe('hs-in');
      expect(t.micChanges).toEqual(['hs-in']);
      expect(t.store.getState().deviceNotices).toEqual([]);
    });

    it('follows devicechange events on its own', async () => {
      const t = await setup(base);
      await t.manager.start();
      t.media.set([...base, headsetMic]);
      await vi.waitFor(() => expect(t.store.getState().audioDevices).toContainEqual(headsetMic));
      t.manager.dispose();
      expect(t.media.listeners.size).toBe(0);
    });
  });

  describe('#choose', () => {
    it('saves the choice and applies it at once (speaker and ring device in the store, microphone to live calls)', async () => {
      const t = await setup([...base, headsetMic, out('hs-out', 'Headset')]);
      await t.manager.start();
      await t.manager.choose('speaker', { id: 'hs-out', label: 'Headset' });
      expect(t.state.settings.speaker).toEqual({ id: 'hs-out', label: 'Headset' });
      expect(t.store.getState().activeDevices).toEqual({ microphone: '', speaker: 'hs-out', ringDevice: 'hs-out' });
      await t.manager.choose('ringDevice', { id: 'speakers', label: 'Speakers' });
      expect(t.store.getState().activeDevices.ringDevice).toBe('speakers');
      await t.manager.choose('microphone', { id: 'hs-in', label: 'Headset Mic' });
      expect(t.micChanges).toEqual(['hs-in']);
      await t.manager.choose('microphone', null);
      expect(t.micChanges).toEqual(['hs-in', '']);
      expect(t.state.settings.microphone).toBeNull();
      expect(t.state.deviceReports.at(-1)).toMatchObject({ activeMicrophoneId: '', activeSpeakerId: 'hs-out', activeRingDeviceId: 'speakers' });
    });

    it('applies an explicit microphone choice to live calls even when it is already the one in use', async () => {
      const t = await setup([...base, headsetMic]);
      t.state.settings.microphone = { id: 'hs-in', label: 'Headset Mic' };
      await t.manager.start();
      await t.manager.choose('microphone', { id: 'hs-in', label: 'Headset Mic' });
      expect(t.micChanges).toEqual(['hs-in', 'hs-in']);
      // A speaker choice leaves the microphone alone.
      await t.manager.choose('speaker', null);
      expect(t.micChanges).toEqual(['hs-in', 'hs-in']);
    });

    it('saves the ring volume, clamped to 0..1', async () => {
      const t = await setup(base);
      await t.manager.start();
      await t.manager.setRingVolume(1.4);
      expect(t.state.settings.ringVolume).toBe(1);
      expect(t.store.getState().ringVolume).toBe(1);
    });
  });
});
