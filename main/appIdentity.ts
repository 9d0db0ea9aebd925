/**
 * The app's identity as the operating system sees it. `APP_ID` is electron-builder's `appId`
 * (electron-builder.yml, checked in tests/unit/main/packaging.test.ts) and, on Windows, the
 * AppUserModelID notifications are attributed to: without it Windows may drop a ring
 * notification or show it under "Electron".
 */
export const APP_ID = 'org.earshot.desktop';
export const APP_NAME = 'Earshot';
