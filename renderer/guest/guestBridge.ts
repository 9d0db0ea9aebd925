import type { DesktopBridge } from '../../common/bridge.js';

/**
 * The host bridge as the guest page may use it: settings are read (microphone processing,
 * relay-only) but never written, and the member's stored session token is out of reach —
 * reads say "none" and writes are dropped — so opening a guest link in a browser where a
 * member is signed in leaves that sign-in alone. No notifications and no badge either.
 */
export function guestBridge(bridge: DesktopBridge): DesktopBridge {
  return {
    platform: bridge.platform,
    notify: async () => false,
    getSetting: (key) => bridge.getSetting(key),
    setSetting: async () => undefined,
    getSessionToken: async () => null,
    setSessionToken: async () => undefined,
    setBadgeCount: async () => undefined,
  };
}
