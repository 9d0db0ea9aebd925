import type { Message, SessionResponse } from '../../../common/protocol/index.js';
import { register, TestClient } from '../wsClient.js';

export interface ChatLoadOptions {
  url: string;
  wsUrl: string;
  /** Chat users, each on its own socket. Default 16. */
  clients?: number;
  /** Members of each group conversation (the users are split into groups of this size). Default 4. */
  groupSize?: number;
  /** All clients together send one message every this many ms (round-robin over the clients). Default 125 (8/s). */
  sendEveryMs?: number;
  /** A request unanswered for this long counts as failed, ms. Default 15,000. */
  requestTimeoutMs?: number;
}

/** What the chat load did, and what the final check found. */
export interface ChatLoadReport {
  clients: number;
  conversations: number;
  /** messages.send requests made. */
  sent: number;
  /** …answered with the stored message. */
  acked: number;
  /** …answered with an error or not at all within the timeout. */
  failed: number;
  /** Acked messages × the other members of their conversation. */
  deliveriesExpected: number;
  /** Of those, how many arrived as `message.new` on the member's socket. */
  delivered: number;
  /** Messages of these conversations in the database at the end (messages.history). */
  stored: number;
  /** Acked messages missing from the history, or stored with another body. */
  missingFromStore: number;
  /** Stored messages that were never acked (a duplicate or a phantom). */
  unexpectedInStore: number;
  /** Failed requests, unexpected socket closes, undelivered messages (first few of each, with counts). */
  errors: string[];
}

interface ChatUser {
  session: SessionResponse;
  client: TestClient;
  /** Conversations this user sends to, in turn. */
  conversations: number[];
  next: number;
  /** Ids of messages from others that arrived as `message.new`. */
  received: Set<number>;
}

interface AckedMessage {
  conversationId: number;
  senderIndex: number;
  body: string;
}

/** Errors kept verbatim per kind; the rest are only counted. */
const ERRORS_KEPT = 5;

/**
 * A steady chat load of plain ws clients (tests/helpers/wsClient.ts) for the soak: users in group
 * conversations of `groupSize` plus one direct conversation each, sending messages round-robin at
 * a fixed total rate. It counts what was sent, acknowledged and delivered to the other members'
 * sockets, and at the end reads every conversation's history back to check each acknowledged
 * message is stored once, with its body.
 */
export class ChatLoad {
  private readonly members = new Map<number, number[]>();
  private readonly acked = new Map<number, AckedMessage>();
  private readonly errorCounts = new Map<string, number>();
  private readonly errorExamples: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private turn = 0;
  private sent = 0;
  private failed = 0;
  private stopping = false;

  private constructor(
    private readonly users: ChatUser[],
    private readonly options: Required<ChatLoadOptions>,
  ) {}

  /** Register the users, connect them and create their conversations. Sends nothing yet. */
  static async create(options: ChatLoadOptions): Promise<ChatLoad> {
    const opts: Required<ChatLoadOptions> = { clients: 16, groupSize: 4, sendEveryMs: 125, requestTimeoutMs: 15_000, ...options };
    const users: ChatUser[] = [];
    for (let i = 0; i < opts.clients; i++) {
      const session = await register(opts.url, `chat${String(i).padStart(2, '0')}`, `Chat ${i}`);
      users.push({ session, client: await TestClient.connect(opts.wsUrl, session.token), conversations: [], next: 0, received: new Set() });
    }
    const load = new ChatLoad(users, opts);
    await load.createConversations();
    for (const [index, user] of users.entries()) load.listen(index, user);
    return load;
  }

  /** Start sending; runs until `stop()`. */
  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.sendEveryMs);
  }

  /** Stop sending and wait for the requests in flight to be answered (or to time out). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.inFlight);
  }

  /** Messages acknowledged so far. */
  get ackedCount(): number {
    return this.acked.size;
  }

  /**
   * After `stop()`: wait (up to `timeoutMs`) for every acknowledged message to reach every other
   * member, then read each conversation's history back and compare.
   */
  async verify(timeoutMs = 30_000): Promise<ChatLoadReport> {
    const deadline = Date.now() + timeoutMs;
    let { expected, delivered } = this.deliveries();
    while (delivered < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      ({ expected, delivered } = this.deliveries());
    }
    if (delivered < expected) this.noteError('undelivered', `${expected - delivered} of ${expected} deliveries never arrived`);

    let stored = 0;
    let missingFromStore = 0;
    let unexpectedInStore = 0;
    for (const [conversationId, memberIndexes] of this.members) {
      const history = await this.history(this.users[memberIndexes[0]!]!.client, conversationId);
      stored += history.length;
      const byId = new Map(history.map((m) => [m.id, m]));
      for (const [id, message] of this.acked) {
        if (message.conversationId !== conversationId) continue;
        if (byId.get(id)?.body !== message.body) missingFromStore++;
      }
      unexpectedInStore += history.filter((m) => !this.acked.has(m.id)).length;
    }
    if (missingFromStore > 0) this.noteError('store', `${missingFromStore} acknowledged messages missing from the history`);
    if (unexpectedInStore > 0) this.noteError('store', `${unexpectedInStore} stored messages were never acknowledged`);

    return {
      clients: this.users.length,
      conversations: this.members.size,
      sent: this.sent,
      acked: this.acked.size,
      failed: this.failed,
      deliveriesExpected: expected,
      delivered,
      stored,
      missingFromStore,
      unexpectedInStore,
      errors: this.errors(),
    };
  }

  /** Close every socket (after `verify()`). */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const user of this.users) user.client.close();
    await Promise.all(this.users.map((u) => u.client.closed()));
  }

  /** Errors so far: the first few of each kind verbatim, then a count per kind. */
  errors(): string[] {
    const extra = [...this.errorCounts].filter(([, n]) => n > ERRORS_KEPT).map(([kind, n]) => `${kind}: ${n - ERRORS_KEPT} more`);
    return [...this.errorExamples, ...extra];
  }

  private async createConversations(): Promise<void> {
    const { groupSize } = this.options;
    const n = this.users.length;
    // Groups of consecutive users; each created by its first member.
    for (let first = 0; first + groupSize <= n; first += groupSize) {
      const indexes = Array.from({ length: groupSize }, (_, k) => first + k);
      const { conversation } = await this.users[first]!.client.request('conversations.createGroup', {
        title: `Soak chat ${first / groupSize + 1}`,
        memberIds: indexes.slice(1).map((i) => this.users[i]!.session.user.id),
      });
      this.addConversation(conversation.id, indexes);
    }
    // One direct conversation per user, with the user half the list away (in another group).
    const half = Math.floor(n / 2);
    for (let i = 0; i < half; i++) {
      const { conversation } = await this.users[i]!.client.request('conversations.createDirect', { userId: this.users[i + half]!.session.user.id });
      this.addConversation(conversation.id, [i, i + half]);
    }
  }

  private addConversation(conversationId: number, indexes: number[]): void {
    this.members.set(conversationId, indexes);
    for (const i of indexes) this.users[i]!.conversations.push(conversationId);
  }

  private listen(index: number, user: ChatUser): void {
    user.client.socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { event?: string; data?: { message?: Message } };
      if (frame.event === 'message.new' && frame.data?.message && frame.data.message.senderId !== user.session.user.id) {
        user.received.add(frame.data.message.id);
      }
      // TestClient keeps unclaimed notifications; this client never waits for any: drop them.
      if (frame.event) user.client.frames.splice(0);
    });
    user.client.socket.on('close', (code) => {
      if (!this.stopping) this.noteError('closed', `chat${index}: socket closed unexpectedly (${code})`);
    });
  }

  private tick(): void {
    const index = this.turn++ % this.users.length;
    const user = this.users[index]!;
    if (user.client.closeCode !== undefined) return;
    const conversationId = user.conversations[user.next++ % user.conversations.length]!;
    const request = this.send(index, user, conversationId, this.sent++).finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  /** One messages.send; an error answer, no answer in time or a wrong answer counts as failed. */
  private async send(index: number, user: ChatUser, conversationId: number, seq: number): Promise<void> {
    const body = `soak message ${seq} from chat${index}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${this.options.requestTimeoutMs} ms`)), this.options.requestTimeoutMs);
      });
      const { message } = await Promise.race([user.client.request('messages.send', { conversationId, clientId: `soak-${index}-${seq}`, body }), timeout]);
      if (message.body !== body || message.conversationId !== conversationId) throw new Error(`ack carries another message: ${JSON.stringify(message)}`);
      this.acked.set(message.id, { conversationId, senderIndex: index, body });
    } catch (error) {
      this.failed++;
      this.noteError('send', `chat${index} messages.send: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private deliveries(): { expected: number; delivered: number } {
    let expected = 0;
    let delivered = 0;
    for (const [id, message] of this.acked) {
      for (const member of this.members.get(message.conversationId)!) {
        if (member === message.senderIndex) continue;
        expected++;
        if (this.users[member]!.received.has(id)) delivered++;
      }
    }
    return { expected, delivered };
  }

  /** Every message of a conversation, oldest first, page by page. */
  private async history(client: TestClient, conversationId: number): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const after = all.length > 0 ? all[all.length - 1]!.id : 0;
      const page = await client.request('messages.history', { conversationId, after, limit: 200 });
      all.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return all;
    }
  }

  private noteError(kind: string, text: string): void {
    const n = (this.errorCounts.get(kind) ?? 0) + 1;
    this.errorCounts.set(kind, n);
    if (n <= ERRORS_KEPT) this.errorExamples.push(text);
  }
}
