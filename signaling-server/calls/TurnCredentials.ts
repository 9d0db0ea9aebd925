import { createHmac } from 'node:crypto';
import type { IceConfig } from '../../common/protocol/calls.js';

export interface TurnOptions {
  /** STUN URLs (e.g. `stun:turn.example.com:3478`). */
  stunUrls: string[];
  /** TURN URLs (e.g. `turn:turn.example.com:3478?transport=udp`, `turns:turn.example.com:443?transport=tcp`). */
  turnUrls: string[];
  /** coturn `static-auth-secret` (TURN REST API). Empty = no TURN offered. */
  turnSecret: string;
  /** Credential lifetime in seconds, at most one hour. */
  ttlSeconds: number;
  /** `relay` makes every client use TURN only. */
  iceTransportPolicy: 'all' | 'relay';
}

/**
 * Mint ICE servers with TURN REST API credentials (coturn `use-auth-secret`):
 * username `<expiry unix seconds>:<userId>`, password base64(HMAC-SHA1(secret, username)).
 */
export function mintIceConfig(options: TurnOptions, userId: number, nowMs: number): IceConfig {
  const ttl = Math.min(options.ttlSeconds, 3600);
  const expiry = Math.floor(nowMs / 1000) + ttl;
  const iceServers: IceConfig['iceServers'] = [];
  if (options.stunUrls.length > 0) iceServers.push({ urls: options.stunUrls });
  if (options.turnUrls.length > 0 && options.turnSecret) {
    const username = `${expiry}:${userId}`;
    const credential = createHmac('sha1', options.turnSecret).update(username).digest('base64');
    iceServers.push({ urls: options.turnUrls, username, credential });
  }
  return { iceServers, iceTransportPolicy: options.iceTransportPolicy, expiresAt: expiry * 1000 };
}
