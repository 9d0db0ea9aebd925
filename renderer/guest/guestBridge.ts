import type { DesktopBridge } from '../../common/bridge.js';

/**
 * The host bridge as the guest page may use it: settings are read (microphone processing,
 * relay-only, chosen devices) but never written, and the member's stored session token is out
 * of reach — reads say "none" and writes are dropped — so opening a guest link in a browser
 * where a member is signed in leaves that sign-in alone. No notifications, no badge, nothing
 * reported to the host's tray or menus, no rings and no host commands either: those belong to
 * the member's app.
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
    reportDevices: async () => undefined,
    reportState: async () => undefined,
    ringStarted: async () => undefined,
    ringEnded: async () => undefined,
    currentRing: async () => null,
    answerRing: async () => undefined,
    hostingInfo: async () => null,
    onCommand: () => () => undefined,
  };
}
