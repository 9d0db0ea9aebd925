import { CLOSE_CODES, EarshotError, assertUnreachable } from '../../common/errors.js';
import {
  PROTOCOL_NAME,
  TOKEN_PROTOCOL_PREFIX,
  encodeRequest,
  parseResponse,
  parseServerFrame,
  type ParsedNotification,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type ServerFrame,
} from '../../common/protocol/index.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from '../lib/backoffDelay.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import {
  SOCKET_OPEN,
  type ConnectionState,
  type SignalingClientEvents,
  type SignalingClientOptions,
  type StateChangeInfo,
  type WebSocketFactory,
  type WebSocketLike,
} from './SignalingClientTypes.js';

interface PendingRequest {
  method: RequestMethod;
  resolve: (result: unknown) => void;
  reject: (error: EarshotError) => void;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

// The DOM WebSocket's handler types take DOM events; WebSocketLike only relies on
// `data`, `code` and `reason`, which the real events have.
const browserSocketFactory: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols) as unknown as WebSocketLike;

/**
 * The renderer's one connection to the signaling server.
 *
 * - One request tracker: `request()` sends `{id, method, data}` and resolves with the validated
 *   response; a missing answer rejects with TIMEOUT, a socket close rejects with DISCONNECTED.
 * - Requests made while not connected reject at once with DISCONNECTED (never queued): callers
 *   that must not lose data (message sending) keep it themselves and resend after `connected`.
 * - Reconnects on its own with exponential backoff + jitter, except after 4001/4002
 *   (state `unauthenticated`) or `close()`.
 */
export class SignalingClient extends TypedEmitter<SignalingClientEvents> {
  readonly #url: string;
  #token: string;
  readonly #createSocket: WebSocketFactory;
  readonly #timeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #log: Logger;

  readonly #pending = new Map<number, PendingRequest>();
  #nextId = 1;
  #socket: WebSocketLike | null = null;
  #state: ConnectionState = 'closed';
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #everConnected = false;
  #stopped = true;

  constructor(options: SignalingClientOptions) {
    super();
    this.#url = options.url;
    this.#token = options.token;
    this.#createSocket = options.createSocket ?? browserSocketFactory;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#log = options.logger ?? createLogger('signaling');
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Number of requests waiting for a response. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Use a new token from the next (re)connect on (after `session.refresh`). */
  setToken(token: string): void {
    this.#token = token;
  }

  /** Open the socket. No-op while already connecting or connected. */
  connect(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#attempt = 0;
    this.#open('connecting');
  }

  /** Skip the backoff wait (e.g. the browser reports it is back online). */
  reconnectNow(): void {
    if (this.#state !== 'reconnecting' || this.#reconnectTimer === null) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#open('reconnecting');
  }

  /** Close for good (sign-out): no reconnect, pending requests reject with DISCONNECTED. */
  close(): void {
    this.#stopped = true;
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      detach(socket);
      try {
        socket.close(CLOSE_CODES.NORMAL, 'client closed');
      } catch (error) {
        this.#log.warn('socket close threw', error);
      }
    }
    this.#setState('closed', { code: CLOSE_CODES.NORMAL });
    this.#rejectAll('connection closed');
  }

  /** Send a request and wait for its validated response. */
  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const socket = this.#socket;
    if (!socket || this.#state !== 'connected' || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new EarshotError('DISCONNECTED', `not connected (${method})`));
    }
    const id = this.#nextId++;
    return new Promise<ResponseData<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new EarshotError('TIMEOUT', `${method} got no response within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, {
        method,
        resolve: (result) => {
          try {
            resolve(parseResponse(method, result));
          } catch (error) {
            reject(error);
          }
        },
        reject,
        timer,
      });
      try {
        socket.send(encodeRequest(id, method, data));
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#log.warn(`[method:${method}] send failed`, error);
        reject(new EarshotError('DISCONNECTED', `could not send ${method}`));
      }
    });
  }

  #open(state: 'connecting' | 'reconnecting'): void {
    this.#setState(state, {});
    let socket: WebSocketLike;
    try {
      socket = this.#createSocket(this.#url, [PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX + this.#token]);
    } catch (error) {
      this.#log.error(`[url:${this.#url}] cannot create socket`, error);
      this.#handleClose(1006, 'socket creation failed');
      return;
    }
    this.#socket = socket;
    // Every handler checks it still belongs to the current socket: a late event from an
    // abandoned socket must not touch the new one's state.
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      const reconnect = this.#everConnected;
      this.#everConnected = true;
      this.#setState('connected', {});
      this.emit('connected', { reconnect });
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#handleFrame(event.data);
    };
    socket.onerror = () => {
      // Always followed by a close event, which does the work.
      if (socket === this.#socket) this.#log.debug('socket error');
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      detach(socket);
      this.#handleClose(event.code, event.reason);
    };
  }

  #handleClose(code: number, reason: string): void {
    const info: StateChangeInfo = { code, reason };
    if (code === CLOSE_CODES.UNAUTHENTICATED || code === CLOSE_CODES.SESSION_REVOKED) {
      this.#stopped = true;
      this.#setState('unauthenticated', info);
    } else {
      const delay = backoffDelay(this.#attempt++, this.#backoff);
      this.#log.info(`[code:${code}] socket closed; reconnecting in ${delay} ms`, reason);
      this.#setState('reconnecting', info);
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null;
        this.#open('reconnecting');
      }, delay);
    }
    // After the state change, so callers that see DISCONNECTED already see the new state.
    this.#rejectAll(`connection closed (${code})`);
  }

  #handleFrame(data: unknown): void {
    if (typeof data !== 'string') {
      this.#log.warn('ignored a non-text frame');
      this.emit('invalidFrame', new EarshotError('BAD_REQUEST', 'non-text frame'));
      return;
    }
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(data);
    } catch (error) {
      // Invalid frames change nothing; a request they might have answered times out.
      this.#log.warn('ignored an invalid server frame', error);
      this.emit('invalidFrame', error instanceof Error ? error : new Error(String(error)));
      return;
    }
    switch (frame.kind) {
      case 'response':
      case 'error': {
        const pending = this.#pending.get(frame.id);
        if (!pending) {
          this.#log.debug(`[id:${frame.id}] response for no pending request (late or unknown)`);
          return;
        }
        this.#pending.delete(frame.id);
        clearTimeout(pending.timer);
        if (frame.kind === 'response') pending.resolve(frame.result);
        else pending.reject(EarshotError.fromWire(frame.error));
        return;
      }
      case 'notification':
        this.emit('notification', { event: frame.event, data: frame.data } as ParsedNotification);
        return;
      default:
        assertUnreachable(frame);
    }
  }

  #rejectAll(message: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      clearTimeout(request.timer);
      request.reject(new EarshotError('DISCONNECTED', `${request.method}: ${message}`));
    }
  }

  #setState(state: ConnectionState, info: StateChangeInfo): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state, info);
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = null;
  socket.onclose = null;
}
