import type { AudioDevice } from '../../common/bridge.js';
import { DEFAULT_SETTINGS } from '../../common/bridge.js';
import type { ActiveDevices, ChosenDevices, DeviceNotice, DeviceNoticeDraft, MissingDevices } from '../devices/deviceTypes.js';
import type { AppSlice } from './AppState.js';

/** At most this many device notices stay on screen; older ones give way. */
const MAX_NOTICES = 4;

export interface DevicesSlice {
  /** The audio devices connected now (pseudo-devices such as `default` included), in browser order. */
  audioDevices: AudioDevice[];
  /** The saved choices (settings microphone / speaker / ringDevice). */
  chosenDevices: ChosenDevices;
  /** The deviceIds in use after matching and fallback; '' = the system default. */
  activeDevices: ActiveDevices;
  /** Chosen devices that are not connected (the default stands in until they come back). */
  missingDevices: MissingDevices;
  /** Ringtone volume 0..1 (setting ringVolume). */
  ringVolume: number;
  /** Fallbacks, restores and new devices on offer, oldest first, until dismissed. */
  deviceNotices: DeviceNotice[];
  setDeviceState(patch: Partial<Pick<DevicesSlice, 'audioDevices' | 'chosenDevices' | 'activeDevices' | 'missingDevices' | 'ringVolume'>>): void;
  addDeviceNotices(drafts: DeviceNoticeDraft[]): void;
  dismissDeviceNotice(id: number): void;
}

let noticeIds = 0;

export const initialDevicesState = {
  audioDevices: [] as AudioDevice[],
  chosenDevices: { microphone: null, speaker: null, ringDevice: null } as ChosenDevices,
  activeDevices: { microphone: '', speaker: '', ringDevice: '' } as ActiveDevices,
  missingDevices: { microphone: false, speaker: false, ringDevice: false } as MissingDevices,
  ringVolume: DEFAULT_SETTINGS.ringVolume,
  deviceNotices: [] as DeviceNotice[],
};

export const createDevicesSlice: AppSlice<DevicesSlice> = (set) => ({
  ...initialDevicesState,
  setDeviceState: (patch) => set(patch),
  addDeviceNotices: (drafts) => {
    if (drafts.length === 0) return;
    set((state) => ({ deviceNotices: [...state.deviceNotices, ...drafts.map((d) => ({ ...d, id: ++noticeIds }))].slice(-MAX_NOTICES) }));
  },
  dismissDeviceNotice: (id) => set((state) => ({ deviceNotices: state.deviceNotices.filter((n) => n.id !== id) })),
});
