import type { IncomingMessage } from 'node:http';

/**
 * Whether the page behind `req` may open the WebSocket. Browsers let a page of any site open a
 * socket to any server (no CORS for WebSockets) and say whose page it is in `Origin`; refusing
 * foreign origins stops cross-site WebSocket hijacking. Allowed:
 * - no `Origin`: not a browser (bots, tools), which cannot ride on someone's browser;
 * - the server's own origin: the Origin's host:port is the Host the request was sent to (with
 *   `trustProxy`, also the proxy's `X-Forwarded-Host`). The scheme is not compared: behind a
 *   TLS-terminating proxy the page is https while the request arrives as http;
 * - the configured `corsOrigins` (the desktop app's `app://earshot`).
 */
export function originAllowed(req: IncomingMessage, options: { corsOrigins: readonly string[]; trustProxy: boolean }): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (options.corsOrigins.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false; // `null` (sandboxed frames, file://) and anything unparsable
  }
  if (!host) return false;
  const forwarded = options.trustProxy ? req.headers['x-forwarded-host'] : undefined;
  const targets = [req.headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',') : [])];
  return targets.some((target) => target !== undefined && target.trim().toLowerCase() === host);
}
