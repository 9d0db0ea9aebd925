import { z } from 'zod';
import { DisplayName, Password, User, Username } from './entities.js';

/** POST /api/register — create an account (when registration is open) and sign in. */
export const RegisterRequest = z.strictObject({
  username: Username,
  displayName: DisplayName,
  password: Password,
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/** POST /api/login — exchange username + password for a session token. */
export const LoginRequest = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Response of register and login. The token is opaque; send it as WebSocket subprotocol `token.<token>`. */
export const SessionResponse = z.object({
  token: z.string(),
  /** ms since epoch. */
  expiresAt: z.number(),
  user: User,
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** GET /api/config — public server settings the client needs before signing in. */
export const PublicConfig = z.object({
  registrationOpen: z.boolean(),
  serverName: z.string(),
});
export type PublicConfig = z.infer<typeof PublicConfig>;

/** Error body of every /api endpoint: `{ error: { code, message } }` with an HTTP status. */
