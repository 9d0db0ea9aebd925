import { EarshotError, type ErrorCode } from '../../common/errors.js';

/** What people read for each code; branch on code, never on message text (STYLE.md §7). */
const TEXT: Partial<Record<ErrorCode, string>> = {
  INVALID_CREDENTIALS: 'Wrong username or password.',
  CONFLICT: 'That username is already taken.',
  REGISTRATION_CLOSED: 'Creating accounts is switched off on this server.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  TIMEOUT: 'The server did not answer in time.',
  DISCONNECTED: 'Not connected to the server.',
  UNAVAILABLE: 'The server is unavailable. Try again shortly.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'That no longer exists.',
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  INTERNAL: 'Something went wrong on the server.',
};

/** A readable one-line explanation of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof EarshotError) {
    // BAD_REQUEST from our own input validation carries a readable message ("Password: …").
    return TEXT[error.code] ?? error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
