/**
 * The keys of `window.earshot` — everything the preload exposes — in one place, so the unit test
 * of the preload (tests/unit/preload) and the Electron suite (tests/electron, which cannot run
 * where the Electron binary is missing) expect the same and cannot drift apart.
 */
export const EXPOSED_BRIDGE_KEYS = [
  'answerRing',
  'currentRing',
  'getSessionToken',
  'getSetting',
  'hostingInfo',
  'notify',
  'onCommand',
  'platform',
  'reportDevices',
  'reportState',
  'ringEnded',
  'ringStarted',
  'setBadgeCount',
  'setSessionToken',
  'setSetting',
] as const;
