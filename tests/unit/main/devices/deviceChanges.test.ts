import { describe, expect, it } from 'vitest';
import type { AudioDevice, DeviceReport } from '../../../../common/bridge.js';
import { describeDeviceChange, diffDevices, offeredChoices, type DeviceChange } from '../../../../main/devices/deviceChanges.js';
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

  const NONE: SavedDevices = { microphone: null, speaker: null, ringDevice: null };

  it('offers a newly plugged headset for both roles: its output found by device group, else by name', () => {
    const grouped = [{ ...mic('n', 'Jabra Evolve Mono'), groupId: 'g7' }, { ...out('no', 'Jabra Evolve Stereo'), groupId: 'g7' }];
    const byGroup = diffDevices(report(builtIn), report([...builtIn, ...grouped]), NONE);
    expect(byGroup).toEqual([{ kind: 'offered', device: grouped[0], output: grouped[1] }]);
    expect(offeredChoices(byGroup[0] as Extract<DeviceChange, { kind: 'offered' }>)).toEqual([
      { role: 'microphone', device: { id: 'n', label: 'Jabra Evolve Mono' } },
      { role: 'speaker', device: { id: 'no', label: 'Jabra Evolve Stereo' } },
    ]);
    const byName = diffDevices(report(builtIn), report([...builtIn, mic('n', 'New Headset'), out('no', 'New Headset')]), NONE);
    expect(byName).toEqual([{ kind: 'offered', device: mic('n', 'New Headset'), output: out('no', 'New Headset') }]);
  });

  it('offers a new microphone alone when no output came with it, and announces no output alone', () => {
    expect(diffDevices(report(builtIn), report([...builtIn, mic('n', 'USB Mic')]), NONE)).toEqual([{ kind: 'offered', device: mic('n', 'USB Mic') }]);
    expect(diffDevices(report(builtIn), report([...builtIn, out('hdmi', 'HDMI Audio')]), NONE)).toEqual([]);
    // A group id that does not match is not paired by name either.
    const other = [{ ...mic('n', 'Headset'), groupId: 'a' }, { ...out('no', 'Headset'), groupId: 'b' }];
    expect(diffDevices(report(builtIn), report([...builtIn, ...other]), NONE)).toEqual([{ kind: 'offered', device: other[0] }]);
  });

  it('does not offer a device that was already there', () => {
    expect(diffDevices(report(withHeadset), report(withHeadset), saved)).toEqual([]);
  });

  it('words the notices', () => {
    expect(describeDeviceChange({ kind: 'fellBack', role: 'speaker', label: 'Headset' })).toEqual({
      title: 'Headset disconnected',
      body: 'Using the system default speaker until it is back.',
    });
    expect(describeDeviceChange({ kind: 'offered', device: mic('n', 'Jabra') })).toMatchObject({ title: 'New microphone' });
    expect(describeDeviceChange({ kind: 'offered', device: mic('n', 'Jabra') }).body).toContain('Jabra');
    expect(describeDeviceChange({ kind: 'offered', device: mic('n', 'Jabra'), output: out('o', 'Jabra') })).toEqual({
      title: 'New headset',
      body: 'Jabra was plugged in. Click to use it for calls (microphone and speaker).',
    });
  });
});
