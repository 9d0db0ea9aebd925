/**
 * What the page's URL asks for. The web client routes on the hash only, so every link works
 * with the server's single-page fallback and needs no server-side route:
 *
 * - `app`: the signed-in member app (sign-in screen, conversations, calls).
 * - `guest`: the guest page of one room, `#/guest/<conversationId>`. `conversationId` is null
 *   when the link is malformed (the page then says the link is not valid, and never falls
 *   through to the member app).
 * - `ring`: the desktop app's small always-on-top ring window, `#/ring`: who is calling and
 *   the answer buttons. It talks to the host bridge only, never to the server.
 */
export type Route = { kind: 'app' } | { kind: 'guest'; conversationId: number | null } | { kind: 'ring' };

const GUEST_PREFIX = '#/guest/';
const RING_HASHES = new Set(['#/ring', '#/ring/']);

/** Parse `location.hash` (with its leading `#`, or empty). */
export function parseRoute(hash: string): Route {
  if (RING_HASHES.has(hash)) return { kind: 'ring' };
  if (!hash.startsWith(GUEST_PREFIX)) return { kind: 'app' };
  const rest = hash.slice(GUEST_PREFIX.length).replace(/\/$/, '');
  // Digits only: no signs, exponents, hex or whitespace that Number() would accept.
  const id = /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : NaN;
  return { kind: 'guest', conversationId: Number.isSafeInteger(id) ? id : null };
}

/** Whether two routes show the same page (a hash change between them needs no reload). */
export function sameRoute(a: Route, b: Route): boolean {
  if (a.kind === 'guest' && b.kind === 'guest') return a.conversationId === b.conversationId;
  return a.kind === b.kind;
}

/**
 * The shareable guest link of a room: `<webClientUrl>/#/guest/<conversationId>`.
 * `webClientUrl` is where the server serves the web client (`http(s)://host[:port][/path]`);
 * a trailing slash is dropped.
 */
export function guestLink(webClientUrl: string, conversationId: number): string {
  return `${webClientUrl.replace(/\/+$/, '')}/${GUEST_PREFIX}${conversationId}`;
}
