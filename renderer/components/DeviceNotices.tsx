import { useAppState, useAppStore, useDevices } from '../app/AppContext.js';

/**
 * Device changes people should know about, until dismissed: "Headset Mic was disconnected —
 * using the system default microphone", its return, and a newly plugged device with a
 * "Use <label>" button.
 */
export function DeviceNotices() {
  const notices = useAppState((s) => s.deviceNotices);
  const store = useAppStore();
  const devices = useDevices();
  if (notices.length === 0) return null;
  return (
    <section className="device-notices" aria-label="Device notices">
      {notices.map((notice) => (
        <div className="call-notice device-notice" key={notice.id}>
          <span role="status">{notice.text}</span>
          {notice.offer ? (
            <button type="button" className="primary" onClick={() => void devices.useOffer(notice.id)}>
              Use {notice.offer.device.label}
            </button>
          ) : null}
          <button type="button" className="ghost" onClick={() => store.getState().dismissDeviceNotice(notice.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
