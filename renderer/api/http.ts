import type { z } from 'zod';
import { EarshotError, isErrorCode } from '../../common/errors.js';
import {
  GuestRequest,
  GuestRoomInfo,
  LoginRequest,
  PublicConfig,
  RegisterRequest,
  SessionResponse,
} from '../../common/protocol/index.js';

/** The HTTP half of the server API (everything before there is a session token). */
export interface HttpApi {
  /** GET /api/config. */
  config(): Promise<PublicConfig>;
  /** POST /api/register → 201. Validates the input first (BAD_REQUEST with a readable message). */
  register(request: RegisterRequest): Promise<SessionResponse>;
  /** POST /api/login → 200. INVALID_CREDENTIALS on a bad pair. */
  login(request: LoginRequest): Promise<SessionResponse>;
  /** POST /api/logout → 204; revokes the token. */
  logout(token: string): Promise<void>;
  /** GET /api/guest/<conversationId>: the title of a room open to guests. NOT_FOUND otherwise. */
  guestRoom(conversationId: number): Promise<GuestRoomInfo>;
  /**
   * POST /api/guest → 201: a guest session scoped to that room's calls. Validates the name
   * first (BAD_REQUEST "Your name: …"); NOT_FOUND when the room does not allow guests.
   */
  guest(request: GuestRequest): Promise<SessionResponse>;
}

export interface HttpApiOptions {
  /** `http(s)://host[:port]`, no trailing slash. */
  baseUrl: string;
  /** Injected in tests; default: the global fetch. */
  fetch?: typeof fetch;
}

const FIELD_LABELS: Record<string, string> = { username: 'Username', displayName: 'Display name', password: 'Password' };
/** The guest form calls the display name "Your name". */
const GUEST_FIELD_LABELS: Record<string, string> = { ...FIELD_LABELS, displayName: 'Your name' };

/** Turn a zod failure into one readable sentence naming the field, e.g. "Password: too short". */
function describeInvalid(error: z.ZodError, labels: Record<string, string>): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const field = String(issue.path[0] ?? '');
  return `${labels[field] ?? field}: ${issue.message}`;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, labels = FIELD_LABELS): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new EarshotError('BAD_REQUEST', describeInvalid(parsed.error, labels));
  return parsed.data;
}

/** Read an error body `{ error: { code, message } }`; falls back to the HTTP status. */
async function errorFrom(response: Response): Promise<EarshotError> {
  try {
    const body: unknown = await response.json();
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && isErrorCode(error.code)) {
      return new EarshotError(error.code, typeof error.message === 'string' ? error.message : error.code);
    }
  } catch {
    // Not JSON: fall through.
  }
  return new EarshotError(response.status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST', `server answered HTTP ${response.status}`);
}

export function createHttpApi(options: HttpApiOptions): HttpApi {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(path: string, init: RequestInit, schema: z.ZodType<T> | null): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`${options.baseUrl}${path}`, init);
    } catch {
      throw new EarshotError('UNAVAILABLE', 'Cannot reach the server. Check your connection.');
    }
    if (!response.ok) throw await errorFrom(response);
    if (schema === null) return undefined as T;
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new EarshotError('BAD_REQUEST', `${path}: response is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new EarshotError('BAD_REQUEST', `${path}: unexpected response shape`);
    return parsed.data;
  }

  const postJson = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

  return {
    config: () => call('/api/config', { method: 'GET' }, PublicConfig),
    register: async (request) => call('/api/register', postJson(validate(RegisterRequest, request)), SessionResponse),
    login: async (request) => call('/api/login', postJson(validate(LoginRequest, request)), SessionResponse),
    logout: (token) => call('/api/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }, null),
    guestRoom: (conversationId) => call(`/api/guest/${encodeURIComponent(String(conversationId))}`, { method: 'GET' }, GuestRoomInfo),
    guest: async (request) => call('/api/guest', postJson(validate(GuestRequest, request, GUEST_FIELD_LABELS)), SessionResponse),
  };
}
