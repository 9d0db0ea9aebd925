/**
 * Where the server lives. `serverUrl` is the user's setting (`http(s)://host:port`, optional
 * path); empty means the page's own origin, which is how the browser build is served.
 */
export function httpBaseUrl(serverUrl: string, pageOrigin: string): string {
  const base = serverUrl.trim() || pageOrigin;
  return base.replace(/\/+$/, '');
}

/** The WebSocket endpoint matching an http(s) base: `ws://host/ws` or `wss://host/ws`. */
export function webSocketUrl(httpBase: string): string {
  return `${httpBase.replace(/^http/i, 'ws')}/ws`;
}
