/**
 * The app's own origin. The renderer is served from `app://earshot/` (never file://), so it has
 * a real, secure origin that the IPC sender check, the permission handler and the navigation
 * guard can compare against.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'earshot';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page of the main window and of the ring window (`#/ring`, a route of the same renderer). */
export const MAIN_PAGE_URL = `${APP_ORIGIN}/index.html`;
export const RING_PAGE_URL = `${APP_ORIGIN}/index.html#/ring`;

/** The origin of a URL, or null when it does not parse. `app://earshot/x` → `app://earshot`. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Node's URL gives "null" as origin for non-special schemes; build it the way Chromium does for a standard scheme.
    if (parsed.protocol === `${APP_SCHEME}:`) return `${APP_SCHEME}://${parsed.host}`;
    return parsed.origin === 'null' ? null : parsed.origin;
  } catch {
    return null;
  }
}

/** True when `url` belongs to the app's own origin. */
export function isAppUrl(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}
