import type { IceServer } from '../../common/protocol/index.js';

/** How a client reaches a TURN server: `turn:…?transport=udp`, `turn:…?transport=tcp`, `turns:…`. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** One TURN URL with the credentials of the ICE server entry it came from. */
export interface TurnEntry {
  url: string;
  username?: string;
  credential?: string;
}

export interface ClassifiedIceServers {
  /**
   * STUN URLs to test. When the server configures none, the TURN servers' own host:port (coturn
   * answers STUN binding requests on its listening port), and `derived` is true.
   */
  stun: { urls: string[]; derived: boolean };
  /** TURN URLs per transport (RFC 7065: `turn:` without `transport` means UDP). */
  turn: Record<TurnTransport, TurnEntry[]>;
}

/** `turn:host:3478?transport=tcp` → `{ scheme: 'turn', hostPort: 'host:3478', transport: 'tcp' }`. */
function parseUrl(url: string): { scheme: string; hostPort: string; transport: string | undefined } | undefined {
  const match = /^([a-z]+):([^?]+)(?:\?transport=([a-z]+))?$/i.exec(url.trim());
  if (!match) return undefined;
  return { scheme: match[1]!.toLowerCase(), hostPort: match[2]!, transport: match[3]?.toLowerCase() };
}

/** Sort the ICE servers a call would get into what the connection test checks one by one. */
export function classifyIceServers(servers: readonly IceServer[]): ClassifiedIceServers {
  const stun: string[] = [];
  const turn: ClassifiedIceServers['turn'] = { udp: [], tcp: [], tls: [] };
  for (const server of servers) {
    for (const url of server.urls) {
      const parsed = parseUrl(url);
      if (!parsed) continue;
      const entry: TurnEntry = { url, ...(server.username !== undefined ? { username: server.username } : {}), ...(server.credential !== undefined ? { credential: server.credential } : {}) };
      if (parsed.scheme === 'stun' || parsed.scheme === 'stuns') stun.push(url);
      else if (parsed.scheme === 'turns') turn.tls.push(entry);
      else if (parsed.scheme === 'turn') turn[parsed.transport === 'tcp' ? 'tcp' : 'udp'].push(entry);
    }
  }
  if (stun.length > 0) return { stun: { urls: stun, derived: false }, turn };
  // STUN always runs over UDP: prefer the hosts the TURN/UDP URLs name, then the TURN/TCP ones
  // (coturn listens on the same port for both).
  const derived = [...turn.udp, ...turn.tcp].map((e) => `stun:${parseUrl(e.url)!.hostPort}`);
  return { stun: { urls: [...new Set(derived)], derived: derived.length > 0 }, turn };
}
