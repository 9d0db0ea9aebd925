/**
 * Which links may leave the app for the system browser (`shell.openExternal`): http(s) pages of
 * the configured server (e.g. the web client or a guest link) and nothing else: no file:, no
 * custom schemes, no other hosts, no credentials in the URL.
 */
export function isExternalUrlAllowed(url: string, serverUrl: string): boolean {
  let target: URL;
  let server: URL;
  try {
    target = new URL(url);
    server = new URL(serverUrl.trim());
  } catch {
    return false;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (target.username || target.password) return false;
  return target.origin === server.origin;
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

/** Open `url` in the browser when the allow-list permits it; returns whether it was opened. */
export async function openExternalIfAllowed(shell: ShellLike, url: string, serverUrl: string): Promise<boolean> {
  if (!isExternalUrlAllowed(url, serverUrl)) return false;
  await shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK — allow-listed just above
  return true;
}
