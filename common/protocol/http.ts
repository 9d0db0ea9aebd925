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

/**
 * POST /api/guest — join a room's voice calls as a guest, by display name, when the room allows
 * guests. The token is scoped to that room: it can join the room's call and nothing else.
 */
export const GuestRequest = z.strictObject({
  conversationId: z.number().int().positive(),
  displayName: DisplayName,
});
export type GuestRequest = z.infer<typeof GuestRequest>;

/** Public facts about a guest-enabled room: GET /api/guest/<conversationId>. */
export const GuestRoomInfo = z.object({ conversationId: z.number(), title: z.string() });
export type GuestRoomInfo = z.infer<typeof GuestRoomInfo>;

/** Error body of every /api endpoint: `{ error: { code, message } }` with an HTTP status. */
