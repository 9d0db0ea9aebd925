import type { ParsedNotification } from '../../common/protocol/index.js';
import type { BackoffOptions } from '../lib/backoffDelay.js';
import type { Logger } from '../lib/createLogger.js';

/**
 * Connection state of the signaling socket.
 * - `connecting`: first attempt after `connect()`.
 * - `connected`: socket open; requests may be sent.
 * - `reconnecting`: the socket dropped; a new attempt is scheduled or under way (with backoff).
 * - `unauthenticated`: the server closed with 4001/4002; the token is no good. No reconnect.
 * - `closed`: `close()` was called (sign-out) or `connect()` was never called.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unauthenticated' | 'closed';

/** `WebSocket.readyState` value of an open socket. */
export const SOCKET_OPEN = 1;

/**
 * The part of the DOM WebSocket the client uses, so tests can inject a fake.
 * Handlers are assigned as properties, like `ws.onopen = …`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Creates a socket for `url` offering `protocols` (`earshot.v1`, `token.<token>`). */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface SignalingClientOptions {
  /** Full WebSocket URL, e.g. `wss://chat.example.com/ws`. */
  url: string;
  /** Session token; offered as subprotocol `token.<token>`. */
  token: string;
  /** Socket factory; default: the browser's WebSocket. */
  createSocket?: WebSocketFactory;
  /** How long a request waits for its response before rejecting with TIMEOUT, ms. Default 15 000. */
  requestTimeoutMs?: number;
  /** Reconnect backoff; defaults 250 ms → 10 s with jitter. */
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
}

/** Why the state changed: the close code and reason when a socket closed. */
export interface StateChangeInfo {
  code?: number;
  reason?: string;
}

export type SignalingClientEvents = {
  /** Every state change, with the close code/reason when a socket closed. */
  state: [state: ConnectionState, info: StateChangeInfo];
  /** The socket opened. `reconnect`: not the first open of this client — time to resync. */
  connected: [info: { reconnect: boolean }];
  /** A validated server notification. */
  notification: [notification: ParsedNotification];
  /** A server frame that failed validation (already logged; it changed nothing). */
  invalidFrame: [error: Error];
};
