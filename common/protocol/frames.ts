import { z } from 'zod';
import { ERROR_CODES, EarshotError, type WireError } from '../errors.js';
import {
  isNotificationName,
  isRequestMethod,
  notifications,
  requests,
  type NotificationData,
  type NotificationName,
  type ParsedRequestData,
  type RequestMethod,
  type ResponseData,
} from './methods.js';

/** The WebSocket subprotocol; the token travels as a second offered subprotocol `token.<token>`. */
export const PROTOCOL_NAME = 'earshot.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';

/** Largest frame either side accepts, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

const RequestEnvelope = z.strictObject({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  method: z.string().max(64),
  data: z.unknown().optional(),
});

const WireErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

const ServerEnvelope = z.union([
  z.strictObject({ id: z.number().int().positive(), result: z.unknown() }),
  z.strictObject({ id: z.number().int().positive(), error: WireErrorSchema }),
  z.strictObject({ event: z.string().max(64), data: z.unknown() }),
]);

/** A request as the server sees it after parsing: method known, data valid. */
export type ParsedRequest = {
  [M in RequestMethod]: { id: number; method: M; data: ParsedRequestData<M> };
}[RequestMethod];

export type ParsedNotification = {
  [N in NotificationName]: { event: N; data: NotificationData<N> };
}[NotificationName];

export type ServerFrame =
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | ParsedNotificationFrame;
type ParsedNotificationFrame = { kind: 'notification' } & ParsedNotification;

/**
 * Outcome of parsing a client frame. `fatal` means the frame was not even a valid envelope
 * (not JSON, no id): there is no request id to answer, so the server replies with an
 * id-less error. Otherwise `id` is known and the error is answered on it.
 */
export type ClientFrameResult =
  | { ok: true; request: ParsedRequest }
  | { ok: false; id: number | null; error: EarshotError };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parse one text frame from a client. Never throws. */
export function parseClientFrame(text: string): ClientFrameResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: new EarshotError('BAD_REQUEST', 'frame is not valid JSON') };
  }
  const envelope = RequestEnvelope.safeParse(json);
  if (!envelope.success) {
    const id =
      typeof json === 'object' && json !== null && 'id' in json && Number.isSafeInteger(json.id)
        ? (json.id as number)
        : null;
    return {
      ok: false,
      id: id !== null && id > 0 ? id : null,
      error: new EarshotError('BAD_REQUEST', `invalid envelope: ${describe(envelope.error)}`),
    };
  }
  const { id, method } = envelope.data;
  if (!isRequestMethod(method)) {
    return { ok: false, id, error: new EarshotError('UNKNOWN_METHOD', `unknown method "${method.slice(0, 64)}"`) };
  }
  let data: ReturnType<(typeof requests)[typeof method]['request']['safeParse']>;
  try {
    data = requests[method].request.safeParse(envelope.data.data ?? {});
  } catch {
    // safeParse only catches validation failures; a refinement that throws on hostile input
    // (deep nesting) would otherwise escape, and "never throws" is what the server relies on.
    return { ok: false, id, error: new EarshotError('BAD_REQUEST', `invalid ${method}: data cannot be validated`) };
  }
  if (!data.success) {
    return { ok: false, id, error: new EarshotError('BAD_REQUEST', `invalid ${method}: ${describe(data.error)}`) };
  }
  return { ok: true, request: { id, method, data: data.data } as ParsedRequest };
}

/** Parse one frame from the server. Throws EarshotError(BAD_REQUEST) on anything malformed. */
export function parseServerFrame(text: string): ServerFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EarshotError('BAD_REQUEST', 'server frame is not valid JSON');
  }
  const envelope = ServerEnvelope.safeParse(json);
  if (!envelope.success) throw new EarshotError('BAD_REQUEST', `invalid server frame: ${describe(envelope.error)}`);
  const frame = envelope.data;
  if ('event' in frame) {
    if (!isNotificationName(frame.event)) throw new EarshotError('BAD_REQUEST', `unknown event "${frame.event}"`);
    const data = notifications[frame.event].safeParse(frame.data);
    if (!data.success) throw new EarshotError('BAD_REQUEST', `invalid ${frame.event}: ${describe(data.error)}`);
    return { kind: 'notification', event: frame.event, data: data.data } as ParsedNotificationFrame;
  }
  if ('error' in frame) return { kind: 'error', id: frame.id, error: frame.error };
  return { kind: 'response', id: frame.id, result: frame.result };
}

/** Validate a response body for a method (client side). */
export function parseResponse<M extends RequestMethod>(method: M, result: unknown): ResponseData<M> {
  const parsed = requests[method].response.safeParse(result);
  if (!parsed.success) throw new EarshotError('BAD_REQUEST', `invalid ${method} response: ${describe(parsed.error)}`);
  return parsed.data as ResponseData<M>;
}

export function encodeRequest(id: number, method: RequestMethod, data: unknown): string {
  return JSON.stringify({ id, method, data });
}

export function encodeResponse(id: number, result: unknown): string {
  return JSON.stringify({ id, result });
}

/** `id` null: the frame had no usable id (e.g. not JSON); the error goes out as a `protocol.error` notification. */
export function encodeError(id: number | null, error: WireError): string {
  return id === null ? JSON.stringify({ event: 'protocol.error', data: error }) : JSON.stringify({ id, error });
}

export function encodeNotification<N extends NotificationName>(event: N, data: NotificationData<N>): string {
  return JSON.stringify({ event, data });
}
