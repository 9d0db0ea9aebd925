import { EarshotError, type ErrorCode } from '../../common/errors.js';
import type { GroupCallInfo, ParsedNotification } from '../../common/protocol/index.js';
import type { HttpApi } from '../api/http.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import { describeError } from '../lib/describeError.js';
import type { SignalingClient } from '../signaling/SignalingClient.js';
import type { GuestPhase } from '../store/guestSlice.js';
import type { AppStore } from '../store/index.js';

/** The part of GroupCallController the guest page drives (the same engine members use). */
export interface GuestCallEngine {
  attach(client: SignalingClient | null): void;
  join(conversationId: number): Promise<void>;
  leave(): Promise<void>;
}

export interface GuestControllerOptions {
  store: AppStore;
  api: Pick<HttpApi, 'guestRoom' | 'guest'>;
  /** Builds a (not yet connected) client for the guest token. */
  createClient: (token: string) => SignalingClient;
  groupCalls: GuestCallEngine;
  /** The room from the link (`#/guest/<id>`); null for a malformed link. */
  conversationId: number | null;
  /**
   * While waiting for the host, how often to ask the server (sync.state) whether the room's
   * call has started, ms. Default 3000. The server tells members and call participants about
   * a new call (group.updated), but not a guest who is not in a call yet, so this is how a
   * waiting guest finds out; a group.updated, should one arrive, joins at once.
   */
  pollIntervalMs?: number;
  logger?: Logger;
}

/** What people read on the guest page. */
export const GUEST_TEXT = {
  invalidLink: 'This guest link is not valid. Ask the person who shared it for a new one.',
  unavailable: 'This room does not exist or does not allow guests.',
  sessionEnded: 'Your guest session has ended. Enter your name to join again.',
} as const;

const DEFAULT_POLL_INTERVAL_MS = 3000;

function errorCode(error: unknown): ErrorCode {
  return error instanceof EarshotError ? error.code : 'INTERNAL';
}

/**
 * The guest page of one room: look the room up, take a name, get a guest token (kept in
 * memory only: never stored, and never the member's token), connect, and join the room's call
 * with the group call engine — at once when a call is in progress, or as soon as the host
 * starts one. Leaving offers `Join again`. A guest token can reach nothing but that call
 * (sync.state and the group call methods; the server enforces it).
 */
export class GuestController {
  readonly store: AppStore;
  readonly #api: Pick<HttpApi, 'guestRoom' | 'guest'>;
  readonly #createClient: (token: string) => SignalingClient;
  readonly #groupCalls: GuestCallEngine;
  readonly #conversationId: number | null;
  readonly #pollIntervalMs: number;
  readonly #log: Logger;
  #client: SignalingClient | null = null;
  #offClient: (() => void) | null = null;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  /** A sync.state is in flight: a second look would only repeat it. */
  #looking = false;
  readonly #unsubscribeStore: () => void;

  constructor(options: GuestControllerOptions) {
    this.store = options.store;
    this.#api = options.api;
    this.#createClient = options.createClient;
    this.#groupCalls = options.groupCalls;
    this.#conversationId = options.conversationId;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#log = options.logger ?? createLogger('guest');
    const valid = options.conversationId !== null;
    this.store.getState().setGuest({
      conversationId: options.conversationId,
      title: '',
      phase: valid ? 'loading' : 'unavailable',
      error: valid ? null : GUEST_TEXT.invalidLink,
    });
    // The engine ended the call without my Leave (join refused, call ended, replaced…).
    this.#unsubscribeStore = this.store.subscribe((state, previous) => {
      if (previous.groupCall && !state.groupCall && this.#phase() === 'inCall') void this.#outOfCall();
    });
  }

  #phase(): GuestPhase | undefined {
    return this.store.getState().guest?.phase;
  }

  /** Look the room up: its title and the name form, or why it cannot be joined. */
  async start(): Promise<void> {
    const conversationId = this.#conversationId;
    if (conversationId === null) return;
    try {
      const room = await this.#api.guestRoom(conversationId);
      this.#update('form', { title: room.title });
    } catch (error) {
      this.#update('unavailable', { error: errorCode(error) === 'NOT_FOUND' ? GUEST_TEXT.unavailable : describeError(error) });
    }
  }

  /** `Join call` on the name form: get a guest token for the room and connect with it. */
  async join(displayName: string): Promise<void> {
    const conversationId = this.#conversationId;
    if (conversationId === null || this.#phase() !== 'form') return;
    this.#update('connecting', { error: null });
    let token: string;
    try {
      ({ token } = await this.#api.guest({ conversationId, displayName }));
    } catch (error) {
      if (errorCode(error) === 'NOT_FOUND') this.#update('unavailable', { error: GUEST_TEXT.unavailable });
      else this.#update('form', { error: describeError(error) });
      return;
    }
    if (this.#phase() !== 'connecting') return; // disposed meanwhile
    this.#connect(token);
  }

  /** `Leave call`. */
  async leave(): Promise<void> {
    if (this.#phase() !== 'inCall') return;
    this.#update('left');
    await this.#groupCalls.leave();
  }

  /** `Join again` after leaving or dropping out: join the call, or wait for the next one. */
  joinAgain(): void {
    const phase = this.#phase();
    if (phase !== 'left' && phase !== 'dropped') return;
    this.store.getState().dismissGroupNotice();
    this.#update('connecting', { error: null });
    void this.#lookForCall();
  }

  /** The browser says the network is back: skip the backoff wait. */
  networkOnline(): void {
    this.#client?.reconnectNow();
  }

  /** Leave the call (while the socket is still open, so the others see it at once) and stop. */
  dispose(): void {
    if (this.#phase() === 'inCall') this.#update('left');
    void this.#groupCalls.leave();
    this.#teardown();
    this.#unsubscribeStore();
  }

  #connect(token: string): void {
    const client = this.#createClient(token);
    this.#client = client;
    const offs = [
      client.on('state', (state) => {
        if (client !== this.#client) return;
        this.store.getState().setConnection(state);
        if (state === 'unauthenticated') this.#sessionEnded();
      }),
      client.on('connected', () => void this.#lookForCall()),
      client.on('notification', (notification) => this.#onNotification(notification)),
    ];
    this.#offClient = () => offs.forEach((off) => off());
    this.#groupCalls.attach(client);
    client.connect();
  }

  #onNotification(notification: ParsedNotification): void {
    if (notification.event !== 'group.updated') return;
    const { conversationId, call } = notification.data;
    if (conversationId === this.#conversationId && call && this.#phase() === 'waiting') void this.#enterCall();
  }

  /**
   * Ask the server for the room's call and act on the answer: join it (connecting, waiting),
   * or wait for one (also after dropping out of a call that has since ended).
   */
  async #lookForCall(): Promise<void> {
    const client = this.#client;
    if (!client || this.#looking) return;
    this.#clearPoll();
    this.#looking = true;
    let call: GroupCallInfo | undefined;
    try {
      const sync = await client.request('sync.state', {});
      if (client !== this.#client) return;
      this.store.getState().setMe(sync.me);
      this.store.getState().setOngoingGroupCalls(sync.groupCalls);
      call = sync.groupCalls.find((c) => c.conversationId === this.#conversationId);
    } catch (error) {
      if (client !== this.#client) return;
      // DISCONNECTED: the next `connected` looks again.
      if (errorCode(error) !== 'DISCONNECTED') {
        this.#log.warn(`[conversation:${this.#conversationId}] cannot read the room's call`, error);
        if (this.#phase() === 'waiting') this.#schedulePoll();
      }
      return;
    } finally {
      this.#looking = false;
    }
    // Read the phase after the await: Leave, Join again or a group.updated may have moved it.
    switch (this.#phase()) {
      case 'connecting':
      case 'waiting':
        if (call) await this.#enterCall();
        else this.#wait();
        return;
      case 'dropped':
        if (!call) this.#wait();
        return;
      default:
        return;
    }
  }

  #wait(): void {
    this.#update('waiting');
    this.#schedulePoll();
  }

  async #enterCall(): Promise<void> {
    const conversationId = this.#conversationId;
    if (conversationId === null) return;
    this.#clearPoll();
    this.#update('inCall', { error: null });
    await this.#groupCalls.join(conversationId);
    // The engine did not even begin (no client): nothing for the store subscription to see.
    if (this.#phase() === 'inCall' && !this.store.getState().groupCall) await this.#outOfCall();
  }

  /** Out of the call without pressing Leave: offer Join again while it goes on, else wait for the next. */
  async #outOfCall(): Promise<void> {
    this.#update('dropped');
    await this.#lookForCall();
  }

  #sessionEnded(): void {
    // Phase first, so the engine dropping the call is not taken for an involuntary exit.
    this.#update('form', { error: GUEST_TEXT.sessionEnded });
    this.#teardown();
  }

  #teardown(): void {
    this.#clearPoll();
    this.#offClient?.();
    this.#offClient = null;
    const client = this.#client;
    this.#client = null;
    if (client) {
      this.#groupCalls.attach(null);
      client.close();
      this.store.getState().setConnection('closed');
    }
  }

  #schedulePoll(): void {
    this.#clearPoll();
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      if (this.#phase() === 'waiting') void this.#lookForCall();
    }, this.#pollIntervalMs);
  }

  #clearPoll(): void {
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  #update(phase: GuestPhase, patch: { title?: string; error?: string | null } = {}): void {
    this.store.getState().updateGuest({ phase, ...patch });
  }
}
