import { describe, expect, it } from 'vitest';
import type { AudioDevice } from '../../../../common/bridge.js';
import type { ChosenDevices, MissingDevices } from '../../../../renderer/devices/deviceTypes.js';
import { deviceKeys, reconcileDevices } from '../../../../renderer/devices/reconcileDevices.js';

const mic = (deviceId: string, label: string): AudioDevice => ({ kind: 'audioinput', deviceId, label });
const out = (deviceId: string, label: string): AudioDevice => ({ kind: 'audiooutput', deviceId, label });

const base = [mic('default', 'Default'), mic('laptop', 'Laptop Mic'), out('default', 'Default'), out('speakers', 'Speakers')];
const headset = [mic('hs-in', 'Headset Mic'), out('hs-out', 'Headset')];
const none: ChosenDevices = { microphone: null, speaker: null, ringDevice: null };
const notMissing: MissingDevices = { microphone: false, speaker: false, ringDevice: false };
const seenAll = (devices: AudioDevice[]) => new Set(devices.flatMap(deviceKeys));

describe('reconcileDevices', () => {
  it('uses the chosen devices when connected and rings on the speaker when no ring device is chosen', () => {
    const devices = [...base, ...headset];
    const result = reconcileDevices({
      previous: null,
      devices,
      chosen: { microphone: { id: 'hs-in', label: 'Headset Mic' }, speaker: { id: 'hs-out', label: 'Headset' }, ringDevice: null },
      wasMissing: notMissing,
      seen: new Set(),
    });
    expect(result.active).toEqual({ microphone: 'hs-in', speaker: 'hs-out', ringDevice: 'hs-out' });
    expect(result.notices).toEqual([]);
  });

  it('falls back to the system default with a notice when the chosen microphone is unplugged', () => {
    const chosen = { ...none, microphone: { id: 'hs-in', label: 'Headset Mic' } };
    const result = reconcileDevices({ previous: [...base, ...headset], devices: base, chosen, wasMissing: notMissing, seen: seenAll([...base, ...headset]) });
    expect(result.active.microphone).toBe('');
    expect(result.missing.microphone).toBe(true);
    expect(result.notices).toEqual([{ text: 'Headset Mic was disconnected — using the system default microphone', offer: null }]);
  });

  it('announces a fallback once, not on every later change', () => {
    const chosen = { ...none, microphone: { id: 'hs-in', label: 'Headset Mic' } };
    const result = reconcileDevices({ previous: base, devices: base, chosen, wasMissing: { ...notMissing, microphone: true }, seen: seenAll(base) });
    expect(result.notices).toEqual([]);
    expect(result.missing.microphone).toBe(true);
  });

  it('says "is not connected" when the saved device is absent at start-up', () => {
    const chosen = { ...none, speaker: { id: 'hs-out', label: 'Headset' } };
    const result = reconcileDevices({ previous: null, devices: base, chosen, wasMissing: notMissing, seen: new Set() });
    expect(result.notices.map((n) => n.text)).toEqual(['Headset is not connected — using the system default speaker']);
  });

  it('restores the chosen device when it is plugged back in, with a notice', () => {
    const chosen = { ...none, microphone: { id: 'hs-in', label: 'Headset Mic' } };
    const devices = [...base, ...headset];
    const result = reconcileDevices({ previous: base, devices, chosen, wasMissing: { ...notMissing, microphone: true }, seen: seenAll(devices) });
    expect(result.active.microphone).toBe('hs-in');
    expect(result.missing.microphone).toBe(false);
    expect(result.notices).toEqual([{ text: 'Headset Mic was reconnected — using it again as the microphone', offer: null }]);
  });

  it('finds a re-plugged device under its new id by label, and says to save the new id', () => {
    const chosen = { ...none, microphone: { id: 'hs-in', label: 'Headset Mic' } };
    const devices = [...base, mic('hs-in-2', 'Headset Mic')];
    const result = reconcileDevices({ previous: base, devices, chosen, wasMissing: { ...notMissing, microphone: true }, seen: seenAll([...base, ...headset]) });
    expect(result.active.microphone).toBe('hs-in-2');
    expect(result.relabelled).toEqual({ microphone: { id: 'hs-in-2', label: 'Headset Mic' } });
    // Seen before (by label): restored, not offered as new.
    expect(result.notices.map((n) => n.offer)).toEqual([null]);
  });

  it('offers a device never seen before, as microphone or speaker by kind', () => {
    const devices = [...base, ...headset];
    const result = reconcileDevices({ previous: base, devices, chosen: none, wasMissing: notMissing, seen: seenAll(base) });
    expect(result.notices).toEqual([
      { text: 'New microphone connected: Headset Mic', offer: { role: 'microphone', device: { id: 'hs-in', label: 'Headset Mic' } } },
      { text: 'New speaker connected: Headset', offer: { role: 'speaker', device: { id: 'hs-out', label: 'Headset' } } },
    ]);
  });

  it('offers nothing at start-up, for pseudo-devices, unnamed devices or devices seen earlier', () => {
    const devices = [...base, ...headset, mic('communications', 'Communications'), mic('anon', '')];
    expect(reconcileDevices({ previous: null, devices, chosen: none, wasMissing: notMissing, seen: new Set() }).notices).toEqual([]);
    const later = reconcileDevices({ previous: base, devices, chosen: none, wasMissing: notMissing, seen: seenAll([...base, ...headset]) });
    expect(later.notices).toEqual([]);
  });

  it('rings on the speaker while the chosen ring device is missing', () => {
    const chosen: ChosenDevices = { microphone: null, speaker: { id: 'speakers', label: 'Speakers' }, ringDevice: { id: 'hs-out', label: 'Headset' } };
    const result = reconcileDevices({ previous: [...base, ...headset], devices: base, chosen, wasMissing: notMissing, seen: seenAll([...base, ...headset]) });
    expect(result.active).toEqual({ microphone: '', speaker: 'speakers', ringDevice: 'speakers' });
    expect(result.notices.map((n) => n.text)).toEqual(['Headset was disconnected — using the speaker']);
  });
});
