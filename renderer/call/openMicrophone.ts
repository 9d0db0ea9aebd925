import type { DesktopBridge } from '../../common/bridge.js';

export interface OpenMicrophoneOptions {
  /** Where the user's audio-processing settings live. */
  bridge: Pick<DesktopBridge, 'getSetting'>;
  /** Default navigator.mediaDevices.getUserMedia. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** A specific input (MediaDeviceInfo.deviceId); default: the system's default microphone. */
  deviceId?: string;
}

/**
 * Open the microphone for a call (1-on-1 or group) with the user's processing settings
 * (echo cancellation, noise suppression, automatic gain; all on by default), mono.
 */
export async function openMicrophone(options: OpenMicrophoneOptions): Promise<MediaStream> {
  const { bridge, deviceId } = options;
  const getUserMedia = options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
  const [echoCancellation, noiseSuppression, autoGainControl] = await Promise.all([
    bridge.getSetting('echoCancellation'),
    bridge.getSetting('noiseSuppression'),
    bridge.getSetting('autoGainControl'),
  ]);
  const audio: MediaTrackConstraints = { echoCancellation, noiseSuppression, autoGainControl, channelCount: 1 };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return getUserMedia({ audio, video: false });
}
