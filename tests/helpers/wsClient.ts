import { once } from 'node:events';
import http from 'node:http';
import WebSocket from 'ws';
import type { WireError } from '../../common/errors.js';
import {
  PROTOCOL_NAME,
  TOKEN_PROTOCOL_PREFIX,
  type NotificationData,
  type NotificationName,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type SessionResponse,
} from '../../common/protocol/index.js';

/** A request that came back with an error frame. */
export class RequestFailed extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
  }
  get code() {
    return this.error.code;
  }
}

type Frame = { id?: number; result?: unknown; error?: WireError; event?: string; data?: unknown };

/**
 * A bare test client over a real socket: typed requests, raw frames for hostile-input tests,
 * and `waitFor(event)` to wait on notifications instead of sleeping.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly waiters: Array<{ match(f: Frame): boolean; resolve(f: Frame): void }> = [];
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => this.onFrame(JSON.parse(String(raw)) as Frame));
    socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      for (const p of this.pending.values()) p.reject(new Error(`socket closed (${code})`));
      this.pending.clear();
    });
    socket.on('error', () => undefined);
  }

  /**
   * Connect with a token; resolves once open (the server may still close it right after).
   * `options` go to `ws` (e.g. `ca` to trust a self-signed server over wss).
   */
  static async connect(wsUrl: string, token: string | undefined, protocols?: string[], options?: WebSocket.ClientOptions): Promise<TestClient> {
    const socket = new WebSocket(wsUrl, protocols ?? [PROTOCOL_NAME, ...(token ? [TOKEN_PROTOCOL_PREFIX + token] : [])], options);
    const client = new TestClient(socket);
    await once(socket, 'open');
    return client;
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, data }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  /** Send any text; returns the id it used if you pass one in the frame. */
  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Resolve with the next notification of `event` matching `predicate` (already-received ones count). */
  waitFor<N extends NotificationName>(
    event: N,
    predicate: (data: NotificationData<N>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<NotificationData<N>> {
    const match = (f: Frame) => f.event === event && predicate(f.data as NotificationData<N>);
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen.data as NotificationData<N>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f.data as NotificationData<N>);
        },
      });
    });
  }

  /** Wait for the next frame of any kind matching `predicate` (e.g. an error answer to a raw frame). */
  nextFrame(predicate: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        match: predicate,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  async closed(): Promise<{ code: number; reason: string }> {
    if (this.closeCode === undefined) await once(this.socket, 'close');
    return { code: this.closeCode!, reason: this.closeReason };
  }

  close(): void {
    this.socket.close();
  }

  private onFrame(frame: Frame): void {
    if (frame.id !== undefined && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id)!;
      this.pending.delete(frame.id);
      if (frame.error) p.reject(new RequestFailed(frame.error));
      else p.resolve(frame.result);
      return;
    }
    const waiter = this.waiters.findIndex((w) => w.match(frame));
    if (waiter >= 0) {
      this.waiters.splice(waiter, 1)[0]!.resolve(frame);
      return;
    }
    this.frames.push(frame);
  }
}

/** Register through the real HTTP API. */
export async function register(baseUrl: string, username: string, displayName = username, password = 'correct horse battery'): Promise<SessionResponse> {
  const res = await fetch(`${baseUrl}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, displayName, password }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SessionResponse;
}

export async function postJson(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: res.headers };
}

/**
 * POST JSON from a chosen local address (any 127.x.y.z works on loopback), so that one test can
 * play many clients to the server's per-address limits. Same result shape as `postJson`.
 */
export function postJsonFrom(localAddress: string, baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Headers }>((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: toHeaders(res.headers) }));
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** Node's response headers (node:http, node:https) as a fetch `Headers`. */
export function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}
