import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Packet and byte counts coturn keeps per session: `rp`/`rb` received, `sp`/`sb` sent. */
export interface TrafficCounts {
  rp: number;
  rb: number;
  sp: number;
  sb: number;
}

/** One coturn session (one client transport: a UDP 5-tuple or a TCP connection) as its log tells it. */
export interface TurnSession {
  /** coturn's session id (18 digits). */
  id: string;
  /** The TURN username (`expiry:userId` with the TURN REST API), '' before authentication. */
  username: string;
  /** Whether an allocation was made on it (a `new, realm=…` line). */
  allocated: boolean;
  /** Byte offset in the log of the session's first line. */
  firstOffset: number;
  closed: boolean;
  /** Between the TURN client and coturn: received from / sent to the client (TURN messages and ChannelData as UDP or TCP payload, no UDP/IP headers). */
  client: TrafficCounts;
  /** Between the relayed address and the peers: received from / sent to the peers (the payload only). */
  peer: TrafficCounts;
}

const zero = (): TrafficCounts => ({ rp: 0, rb: 0, sp: 0, sb: 0 });

const SESSION_LINE = /session (\d+): (.*)$/;
const USAGE = /^(peer )?usage: realm=<[^>]*>, username=<([^>]*)>, rp=(\d+), rb=(\d+), sp=(\d+), sb=(\d+)/;
const NEW_ALLOCATION = /^new, realm=<[^>]*>, username=<([^>]*)>/;

/**
 * coturn's per-session traffic from its log (tests/helpers/coturn.ts runs it with `verbose`).
 * With `verbose`, coturn logs a session's `usage` (client side) and `peer usage` (relay side)
 * counters every 2048 packets and once more when the session closes, and resets them after each
 * line, so a session's traffic is the sum of its lines and is complete once `closed` is logged.
 */
export function readTurnSessions(logFile: string): Map<string, TurnSession> {
  const text = readFileSync(logFile, 'utf8');
  const sessions = new Map<string, TurnSession>();
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineOffset = offset;
    offset += Buffer.byteLength(line) + 1;
    const m = SESSION_LINE.exec(line);
    if (!m) continue;
    const [, id, rest] = m as unknown as [string, string, string];
    let s = sessions.get(id);
    if (!s) {
      s = { id, username: '', allocated: false, firstOffset: lineOffset, closed: false, client: zero(), peer: zero() };
      sessions.set(id, s);
    }
    const usage = USAGE.exec(rest);
    if (usage) {
      const [, peer, username, rp, rb, sp, sb] = usage as unknown as [string, string | undefined, string, string, string, string, string];
      const counts = peer ? s.peer : s.client;
      counts.rp += Number(rp);
      counts.rb += Number(rb);
      counts.sp += Number(sp);
      counts.sb += Number(sb);
      if (username) s.username = username;
      continue;
    }
    const allocation = NEW_ALLOCATION.exec(rest);
    if (allocation) {
      s.allocated = true;
      s.username = allocation[1]!;
    } else if (rest.startsWith('closed')) {
      s.closed = true;
    }
  }
  return sessions;
}

/** The log's size in bytes now: sessions whose first line lies past it started later. */
export function logSize(logFile: string): number {
  return Buffer.byteLength(readFileSync(logFile, 'utf8'));
}

/**
 * The sessions that started at or after `fromOffset`, once every one of them is closed (polling
 * every 100 ms), or as they stand after `timeoutMs` (then some have `closed: false`).
 */
export async function sessionsSince(logFile: string, fromOffset: number, timeoutMs: number): Promise<TurnSession[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = [...readTurnSessions(logFile).values()].filter((s) => s.firstOffset >= fromOffset);
    if (found.every((s) => s.closed) || Date.now() > deadline) return found;
    await sleep(100);
  }
}

/** Sum of the counts of `sessions`. */
export function totalTraffic(sessions: TurnSession[], side: 'client' | 'peer'): TrafficCounts {
  const sum = zero();
  for (const s of sessions) {
    sum.rp += s[side].rp;
    sum.rb += s[side].rb;
    sum.sp += s[side].sp;
    sum.sb += s[side].sb;
  }
  return sum;
}
