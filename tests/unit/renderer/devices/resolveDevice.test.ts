import { describe, expect, it } from 'vitest';
import type { AudioDevice } from '../../../../common/bridge.js';
import { resolveDevice } from '../../../../renderer/devices/resolveDevice.js';

const mic = (deviceId: string, label: string): AudioDevice => ({ kind: 'audioinput', deviceId, label });
const out = (deviceId: string, label: string): AudioDevice => ({ kind: 'audiooutput', deviceId, label });

describe('resolveDevice', () => {
  const devices = [mic('default', 'Default - Headset Mic'), mic('a1', 'Headset Mic'), mic('b2', 'Laptop Mic'), out('a1', 'Headset Mic')];

  it('uses the system default when nothing is chosen', () => {
    expect(resolveDevice(null, devices, 'audioinput')).toEqual({ status: 'default' });
  });

  it('matches by id first, within the kind', () => {
    expect(resolveDevice({ id: 'b2', label: 'Renamed' }, devices, 'audioinput')).toEqual({ status: 'found', device: devices[2], byLabel: false });
    expect(resolveDevice({ id: 'a1', label: 'Headset Mic' }, devices, 'audiooutput')).toEqual({ status: 'found', device: devices[3], byLabel: false });
  });

  it('falls back to the label when the id changed (re-plugged, new profile)', () => {
    expect(resolveDevice({ id: 'old-id', label: 'Laptop Mic' }, devices, 'audioinput')).toEqual({ status: 'found', device: devices[2], byLabel: true });
  });

  it('reports a chosen device that is not connected as missing', () => {
    expect(resolveDevice({ id: 'zz', label: 'USB Mic' }, devices, 'audioinput')).toEqual({ status: 'missing' });
    // A device of the other kind with that id does not count.
    expect(resolveDevice({ id: 'b2', label: 'Laptop Mic' }, devices, 'audiooutput')).toEqual({ status: 'missing' });
  });

  it('never matches an empty label (devices listed before the microphone permission)', () => {
    expect(resolveDevice({ id: 'x', label: '' }, [mic('y', '')], 'audioinput')).toEqual({ status: 'missing' });
  });
});
