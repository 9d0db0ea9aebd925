import { describe, expect, it } from 'vitest';
import { openMicrophone } from '../../../../renderer/call/openMicrophone.js';
import { memoryBridge } from '../fakes.js';

describe('openMicrophone', () => {
  const capture = () => {
    const seen: MediaStreamConstraints[] = [];
    const getUserMedia = async (c: MediaStreamConstraints) => {
      seen.push(c);
      return {} as MediaStream;
    };
    return { seen, getUserMedia };
  };

  it('asks for mono audio with the user’s processing settings', async () => {
    const { bridge } = memoryBridge();
    await bridge.setSetting('noiseSuppression', false);
    const { seen, getUserMedia } = capture();
    await openMicrophone({ bridge, getUserMedia });
    expect(seen).toEqual([{ audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: true, channelCount: 1 }, video: false }]);
  });

  it('opens exactly the chosen input when given a deviceId', async () => {
    const { bridge } = memoryBridge();
    const { seen, getUserMedia } = capture();
    await openMicrophone({ bridge, getUserMedia, deviceId: 'usb' });
    expect(seen[0]?.audio).toMatchObject({ deviceId: { exact: 'usb' } });
  });
});
