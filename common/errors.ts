/**
 * Stable error codes shared by server and clients. Branch on `code`, never on message text.
 * Only `{ code, message }` crosses the wire.
 */
export const ERROR_CODES = [
  /** The frame or its data failed validation. Nothing was changed. */
  'BAD_REQUEST',
  /** No valid session: missing, unknown, expired or revoked token. */
  'UNAUTHENTICATED',
  /** Authenticated, but the role or relation does not allow this action. */
  'FORBIDDEN',
  /** The referenced entity does not exist (or is not visible to the caller). */
  'NOT_FOUND',
  /** The action conflicts with current state (e.g. username taken). */
  'CONFLICT',
  /** The per-connection or per-address rate limit was exceeded. */
  'RATE_LIMITED',
  /** Username/password pair did not match. */
  'INVALID_CREDENTIALS',
  /** Self-registration is switched off on this server. */
  'REGISTRATION_CLOSED',
  /** The method name is not part of the protocol. */
  'UNKNOWN_METHOD',
  /** A request did not get a response in time (client side). */
  'TIMEOUT',
  /** The socket closed before a response arrived (client side). */
  'DISCONNECTED',
  /** The server is shutting down or a dependency (storage) is unavailable. */
  'UNAVAILABLE',
  /** Call outcomes (used by the call issues). */
  'USER_OFFLINE',
  'USER_BUSY',
  'DO_NOT_DISTURB',
  'CALL_NOT_FOUND',
  'ROOM_FULL',
  /** Anything unexpected on the server; details are logged, not sent. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape of an error on the wire. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/** An error with a stable code. Server handlers throw it; clients reject requests with it. */
export class EarshotError extends Error {
  override readonly name = 'EarshotError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }

  static fromWire(error: WireError): EarshotError {
    return new EarshotError(error.code, error.message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** WebSocket close codes used by the server (4000–4999 is the application range). */
export const CLOSE_CODES = {
  /** Normal close initiated by either side. */
  NORMAL: 1000,
  /** Server shutting down; clients should reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Frame was not valid JSON or not a valid envelope. */
  PROTOCOL_ERROR: 1002,
  /** Frame larger than maxPayload. */
  TOO_BIG: 1009,
  /** The server failed while handling a frame (a bug; logged). */
  INTERNAL_ERROR: 1011,
  /** Token missing, unknown, expired or revoked: the client must sign in again. */
  UNAUTHENTICATED: 4001,
  /** Session revoked (sign-out elsewhere) while connected. */
  SESSION_REVOKED: 4002,
  /** The client kept exceeding the rate limit. */
  RATE_LIMITED: 4008,
} as const;

/** Exhaustiveness guard for switch statements: adding a case without handling it fails to compile. */
export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
