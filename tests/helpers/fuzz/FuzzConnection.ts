import { once } from 'node:events';
import WebSocket from 'ws';
import { isErrorCode } from '../../../common/errors.js';
import { PROTOCOL_NAME, TOKEN_PROTOCOL_PREFIX } from '../../../common/protocol/index.js';
import type { FuzzFrame } from './FrameFuzzer.js';
import type { FuzzTally } from './FuzzTally.js';

/** A frame waiting for its answer. */
interface Pending {
  valid: boolean;
  label: string;
  /** The start of the frame, for problem reports. */
  snippet: string;
}

/** Error codes that mean "this frame was refused as it stands; nothing was done". */
const REFUSALS: ReadonlySet<string> = new Set(['BAD_REQUEST', 'UNKNOWN_METHOD', 'RATE_LIMITED']);

/**
 * One fuzzing socket. It sends frames and pairs every answer with a frame sent: answers with an
 * id pair with frames of that id (several frames may share one), id-less `protocol.error`
 * notifications pair with id-less frames in order (the server answers those synchronously, so
 * in order). When the server closes the socket with a code the frames call for, everything
 * still waiting counts as answered by the close; any other close leaves it unanswered.
 */
export class FuzzConnection {
  /** Frames sent and not yet answered. */
  inFlight = 0;
  readonly closed: Promise<number>;
  private readonly byId = new Map<number, Pending[]>();
  private readonly idless: Pending[] = [];
  /** Frames that must make the server close the socket (sent with nothing else in flight). */
  private readonly closers: Pending[] = [];
  private allowedCloseCodes: readonly number[];
  private closedByUs = false;
  private progress: Array<() => void> = [];

  private constructor(
    private readonly socket: WebSocket,
    private readonly tally: FuzzTally,
    allowedCloseCodes: readonly number[],
  ) {
    this.allowedCloseCodes = allowedCloseCodes;
    socket.on('error', () => undefined);
    socket.on('message', (raw, isBinary) => this.onMessage(String(raw), isBinary));
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(this.onClose(code))));
  }

  /**
   * Open a socket with `token` (none, or a bad one, for unauthenticated sockets).
   * `allowedCloseCodes`: codes the server may close with at any time (4001 for a bad token,
   * 4008 when hammering past the rate limit); other closes must be earned by a frame.
   */
  static async open(
    wsUrl: string,
    token: string | undefined,
    tally: FuzzTally,
    allowedCloseCodes: readonly number[] = [],
    firstFrames: readonly FuzzFrame[] = [],
  ): Promise<FuzzConnection> {
    const socket = new WebSocket(wsUrl, [PROTOCOL_NAME, ...(token !== undefined ? [TOKEN_PROTOCOL_PREFIX + token] : [])]);
    const connection = new FuzzConnection(socket, tally, allowedCloseCodes);
    // `firstFrames` go out from the open event itself: a close that came with the handshake
    // response (bad token) is processed before an awaiting caller would run.
    socket.once('open', () => firstFrames.forEach((frame) => connection.send(frame)));
    await once(socket, 'open');
    return connection;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: FuzzFrame): void {
    if (!this.isOpen) throw new Error('fuzz: send on a socket that is not open');
    const pending: Pending = { valid: frame.expect.kind === 'reply' && frame.expect.valid, label: frame.label, snippet: snippet(frame.payload, frame.binary) };
    if (frame.expect.kind === 'close') {
      // Answered by the close only.
      this.allowedCloseCodes = [...this.allowedCloseCodes, ...frame.expect.codes];
      this.closers.push(pending);
    } else if (frame.expect.id === null) {
      this.idless.push(pending);
    } else {
      const list = this.byId.get(frame.expect.id);
      if (list) list.push(pending);
      else this.byId.set(frame.expect.id, [pending]);
    }
    this.inFlight++;
    this.tally.sent++;
    this.socket.send(frame.payload, { binary: frame.binary });
  }

  /** Resolve true once at most `max` frames are in flight (or the socket closed); false after `idleMs` without an answer. */
  async waitUntilInFlight(max: number, idleMs: number): Promise<boolean> {
    while (this.inFlight > max && this.isOpen) {
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), idleMs);
        this.progress.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!answered) return false;
    }
    return true;
  }

  /** Close from our side (1000). Frames still in flight then were never answered. */
  async close(): Promise<void> {
    this.closedByUs = true;
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(1000);
    await this.closed;
  }

  private onMessage(text: string, isBinary: boolean): void {
    let frame: { id?: unknown; event?: unknown; data?: { code?: unknown }; error?: { code?: unknown }; result?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.tally.problem('untyped', `server sent non-JSON: ${text.slice(0, 120)}`);
      return;
    }
    if (isBinary || typeof frame !== 'object' || frame === null) {
      this.tally.problem('untyped', `server sent ${isBinary ? 'a binary frame' : 'a non-object'}: ${text.slice(0, 120)}`);
      return;
    }
    if (typeof frame.event === 'string') {
      if (frame.event !== 'protocol.error') {
        this.tally.count(this.tally.notifications, frame.event);
        return;
      }
      const pending = this.idless.shift();
      if (!pending) {
        this.tally.problem('unexpectedAnswer', `protocol.error with no id-less frame waiting: ${text.slice(0, 200)}`);
        return;
      }
      this.answer(pending, 'protocolError', frame.data?.code, text);
      return;
    }
    if (typeof frame.id === 'number' && ('error' in frame || 'result' in frame)) {
      const list = this.byId.get(frame.id);
      if (!list?.length) {
        this.tally.problem('unexpectedAnswer', `answer for id ${frame.id} that no frame waits for: ${text.slice(0, 200)}`);
        return;
      }
      if ('error' in frame) {
        // Several frames may wait on one id and their answers need not come in order. A refusal
        // pairs with an invalid frame first (those must be refused; valid ones may be); any other
        // error can only be a valid frame's, so it pairs with one of those when one waits.
        const refusal = REFUSALS.has(String(frame.error?.code));
        const index = Math.max(0, list.findIndex((p) => p.valid !== refusal));
        this.answer(list.splice(index, 1)[0]!, 'error', frame.error?.code, text);
      } else {
        const index = list.findIndex((p) => p.valid);
        const pending = list.splice(Math.max(0, index), 1)[0]!;
        if (index < 0) this.tally.problem('resultForInvalid', `${pending.snippet} → ${text.slice(0, 200)}`);
        this.answer(pending, 'result', undefined, text);
      }
      if (list.length === 0) this.byId.delete(frame.id);
      return;
    }
    this.tally.problem('untyped', `unrecognised server frame: ${text.slice(0, 200)}`);
  }

  private answer(pending: Pending, kind: 'result' | 'error' | 'protocolError', code: unknown, text: string): void {
    this.inFlight--;
    this.tally.answered[kind]++;
    if (kind !== 'result') {
      if (!isErrorCode(code)) {
        this.tally.problem('untyped', `${pending.snippet} → ${text.slice(0, 200)}`);
      } else {
        this.tally.count(this.tally.errorCodes, code);
        if (code === 'INTERNAL') this.tally.problem('internal', `${pending.label} ${pending.snippet}`);
        else if (!pending.valid && !REFUSALS.has(code)) this.tally.problem('wrongCodeForInvalid', `${pending.snippet} → ${text.slice(0, 200)}`);
      }
    }
    for (const wake of this.progress.splice(0)) wake();
  }

  private onClose(code: number): number {
    const waiting = this.inFlight;
    const examples = () => [...this.closers, ...this.idless, ...[...this.byId.values()].flat()].slice(0, 3).map((p) => `${p.label} ${p.snippet}`).join(' | ');
    if (this.closedByUs) {
      if (waiting > 0) this.tally.problem('unanswered', `${waiting} frame(s) still unanswered when we closed: ${examples()}`, waiting);
    } else if (this.allowedCloseCodes.includes(code)) {
      this.tally.answered.close += waiting;
      this.tally.count(this.tally.closeCodes, code);
    } else {
      this.tally.problem('unexpectedClose', `server closed with ${code} (expected ${this.allowedCloseCodes.join('/') || 'none'}); waiting: ${examples()}`);
      if (waiting > 0) this.tally.problem('unanswered', `${waiting} frame(s) lost to the close`, waiting);
    }
    this.inFlight = 0;
    this.byId.clear();
    this.idless.length = 0;
    this.closers.length = 0;
    for (const wake of this.progress.splice(0)) wake();
    return code;
  }
}

function snippet(payload: Buffer, binary: boolean): string {
  return `${binary ? '(binary) ' : ''}${JSON.stringify(payload.subarray(0, 120).toString('utf8'))}${payload.length > 120 ? `… (${payload.length} bytes)` : ''}`;
}
