import { describe, expect, it } from 'vitest';
import type { AudioDevice, DeviceReport } from '../../../../common/bridge.js';
import { describeDeviceChange, diffDevices } from '../../../../main/devices/deviceChanges.js';
import type { SavedDevices } from '../../../../main/devices/deviceMenuModel.js';

const mic = (deviceId: string, label: string): AudioDevice => ({ kind: 'audioinput', deviceId, label });
const out = (deviceId: string, label: string): AudioDevice => ({ kind: 'audiooutput', deviceId, label });
const report = (devices: AudioDevice[]): DeviceReport => ({ devices, activeMicrophoneId: '', activeSpeakerId: '', activeRingDeviceId: '' });
const saved: SavedDevices = { microphone: { id: 'h', label: 'Headset' }, speaker: { id: 'ho', label: 'Headset' }, ringDevice: null };

describe('diffDevices (hot-plug rules)', () => {
  const builtIn = [mic('b', 'Built-in'), out('bo', 'Speakers')];
  const withHeadset = [...builtIn, mic('h', 'Headset'), out('ho', 'Headset')];

  it('reports nothing for the first report (baseline)', () => {
    expect(diffDevices(null, report(withHeadset), saved)).toEqual([]);
  });

  it('unplugging the chosen devices falls back, per role', () => {
    expect(diffDevices(report(withHeadset), report(builtIn), saved)).toEqual([
      { kind: 'fellBack', role: 'microphone', label: 'Headset' },
      { kind: 'fellBack', role: 'speaker', label: 'Headset' },
    ]);
  });

  it('re-plugging restores them, also with new ids (label match), and does not offer them', () => {
    const replugged = [...builtIn, mic('h2', 'Headset'), out('ho2', 'Headset')];
    expect(diffDevices(report(builtIn), report(replugged), saved)).toEqual([
      { kind: 'restored', role: 'microphone', label: 'Headset' },
      { kind: 'restored', role: 'speaker', label: 'Headset' },
    ]);
  });

  it('offers a newly plugged microphone that is not the chosen one', () => {
    const changes = diffDevices(report(builtIn), report([...builtIn, mic('n', 'New Headset'), out('no', 'New Headset')]), { microphone: null, speaker: null, ringDevice: null });
    expect(changes).toEqual([{ kind: 'offered', device: mic('n', 'New Headset') }]);
  });

  it('does not offer a device that was already there', () => {
    expect(diffDevices(report(withHeadset), report(withHeadset), saved)).toEqual([]);
  });

  it('words the notices', () => {
    expect(describeDeviceChange({ kind: 'fellBack', role: 'speaker', label: 'Headset' })).toEqual({
      title: 'Headset disconnected',
      body: 'Using the system default speaker until it is back.',
    });
    expect(describeDeviceChange({ kind: 'offered', device: mic('n', 'Jabra') }).body).toContain('Jabra');
  });
});
