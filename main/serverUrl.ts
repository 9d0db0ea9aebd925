/**
 * The server the desktop renderer talks to. The page's own origin (app://earshot) is not a
 * server, so an empty setting cannot mean "same origin" as it does in a browser. First that is set:
 * 1. the in-app server, while "host on this computer" runs;
 * 2. an override from the launcher (`EARSHOT_SERVER_URL` or `--server-url=`), e.g. `npm start`;
 * 3. the `serverUrl` setting;
 * 4. the default local server, http://127.0.0.1:8080.
 */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export function effectiveServerUrl(options: { hosted: string | null; override: string | null; stored: string }): string {
  const pick = [options.hosted, options.override, options.stored].find((u) => u && isHttpUrl(u));
  return (pick ?? DEFAULT_SERVER_URL).trim().replace(/\/+$/, '');
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** `--server-url=<url>` from the command line, else `EARSHOT_SERVER_URL`; null when neither is a valid http(s) URL. */
export function serverUrlOverride(argv: readonly string[], env: Record<string, string | undefined>): string | null {
  const arg = argv.find((a) => a.startsWith('--server-url='))?.slice('--server-url='.length);
  const value = arg ?? env.EARSHOT_SERVER_URL ?? '';
  return value && isHttpUrl(value) ? value.trim() : null;
}
