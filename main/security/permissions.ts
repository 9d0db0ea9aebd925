import { APP_ORIGIN, originOf } from '../protocol/appOrigin.js';

/**
 * Permission decisions for the app's session. Granted: the microphone (audio only, never the
 * camera or the screen) and notifications, and only to pages of the app's own origin. Everything
 * else (geolocation, MIDI, HID, clipboard read, pointer lock, …) is denied.
 */

/** The parts of Electron's permission request details this module reads. */
export interface PermissionRequestInfo {
  /** The URL of the frame asking (Electron: `details.requestingUrl`). */
  requestingUrl?: string;
  /** For `media`: what is asked for (Electron: `details.mediaTypes`). */
  mediaTypes?: ReadonlyArray<'video' | 'audio'>;
  /** Whether the request comes from the top-level frame. */
  isMainFrame?: boolean;
}

/** Decide a permission *request* (e.g. getUserMedia, Notification.requestPermission). */
export function decidePermissionRequest(permission: string, info: PermissionRequestInfo): boolean {
  if (!info.requestingUrl || originOf(info.requestingUrl) !== APP_ORIGIN) return false;
  switch (permission) {
    case 'media': {
      const types = info.mediaTypes ?? [];
      return types.length > 0 && types.every((t) => t === 'audio');
    }
    case 'notifications':
      return true;
    default:
      return false;
  }
}

/**
 * Decide a permission *check* (synchronous queries such as device labels in enumerateDevices or
 * `Notification.permission`). `mediaType` is Electron's `details.mediaType`.
 */
export function decidePermissionCheck(permission: string, requestingOrigin: string, mediaType?: string): boolean {
  if (originOf(requestingOrigin) !== APP_ORIGIN) return false;
  switch (permission) {
    case 'media':
      return mediaType !== 'video';
    case 'notifications':
      return true;
    default:
      return false;
  }
}

/** The slice of `Electron.Session` the handlers are installed on. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: PermissionRequestInfo,
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (webContents: unknown, permission: string, requestingOrigin: string, details: { mediaType?: string }) => boolean,
  ): void;
}

/** Install both handlers on a session. */
export function installPermissionHandlers(session: PermissionSession): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) =>
    callback(decidePermissionRequest(permission, details)),
  );
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    decidePermissionCheck(permission, requestingOrigin, details.mediaType),
  );
}
