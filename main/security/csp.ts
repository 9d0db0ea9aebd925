/**
 * Content Security Policy of the desktop renderer (served from `app://earshot/`): scripts and
 * styles only from the app itself, no inline script, no plugins, not frameable. The page talks
 * to exactly one server: `connect-src` names its http(s) and matching ws(s) origin.
 */
export function contentSecurityPolicy(serverUrl: string): string {
  const connect = ["'self'", ...serverOrigins(serverUrl)];
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React sets `style` attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: data:",
    `connect-src ${connect.join(' ')}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * `http://host:port` → [`http://host:port`, `ws://host:port`] (https → wss). Empty or anything
 * that is not an http(s) URL yields nothing, so a bad setting can only make the policy stricter.
 */
export function serverOrigins(serverUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
  } catch {
    return [];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [];
  // A policy source cannot carry credentials, paths or CSP separators; origin has none of them.
  const ws = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return [url.origin, `${ws}//${url.host}`];
}
