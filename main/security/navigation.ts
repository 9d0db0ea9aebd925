import { isAppUrl } from '../protocol/appOrigin.js';
import { isExternalUrlAllowed } from './openExternal.js';

/**
 * Navigation guard for every window: a page may only move within the app's own origin; new
 * windows are never opened by the page (allowed links go to the system browser instead);
 * `<webview>` is refused.
 */

/** Whether a navigation (will-navigate / will-redirect / will-frame-navigate) may proceed. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** What to do with a `window.open` or target=_blank link. The page never gets a new window. */
export function decideWindowOpen(url: string, serverUrl: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isExternalUrlAllowed(url, serverUrl) };
}

/** The slice of `Electron.WebContents` the guard attaches to. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface NavigationGuardOptions {
  /** Current server URL (the open-externally allow-list). */
  serverUrl: () => string;
  openExternal: (url: string) => void;
  /** Called for every blocked attempt (logged). */
  onBlocked?: (kind: 'navigate' | 'redirect' | 'window-open' | 'webview', url: string) => void;
}

export function guardNavigation(contents: GuardedContents, options: NavigationGuardOptions): void {
  const block = (kind: 'navigate' | 'redirect') => (event: { preventDefault(): void; url: string }) => {
    if (isNavigationAllowed(event.url)) return;
    event.preventDefault();
    options.onBlocked?.(kind, event.url);
  };
  contents.on('will-navigate', block('navigate'));
  contents.on('will-redirect', block('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url, options.serverUrl());
    // Reviewed: only URLs that passed the allow-list (isExternalUrlAllowed) leave the app.
    if (decision.openExternally) options.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
    else options.onBlocked?.('window-open', url);
    return { action: decision.action };
  });
}
