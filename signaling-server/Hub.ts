import type { ChosenStatus, NotificationData, NotificationName, PresenceStatus } from '../common/protocol/index.js';
import { encodeNotification } from '../common/protocol/index.js';
import type { ClientConnection } from './ClientConnection.js';
import type { Logger } from './logger.js';
import type { MessageBus } from './MessageBus.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/Store.js';

/**
 * Who is connected on which devices, their derived presence, and delivery of notifications.
 * Presence is `offline` with no device, `busy` while in a call, otherwise the chosen status.
 */
export class Hub {
  private readonly byUser = new Map<number, Set<ClientConnection>>();
  private readonly chosen = new Map<number, ChosenStatus>();
  private readonly inCall = new Set<number>();
  private readonly store: Store;
  private readonly bus: MessageBus;
  private readonly metrics: Metrics;
  private readonly logger: Logger;

  constructor(options: { store: Store; bus: MessageBus; metrics: Metrics; logger: Logger }) {
    this.store = options.store;
    this.bus = options.bus;
    this.metrics = options.metrics;
    this.logger = options.logger.child({ module: 'hub' });
    this.bus.subscribe((userIds, frame, essential) => this.deliverLocal(userIds, frame, essential));
  }

  /** All live connections (for heartbeat and shutdown). */
  *connections(): Iterable<ClientConnection> {
    for (const set of this.byUser.values()) yield* set;
  }

  connectionsOf(userId: number): ReadonlySet<ClientConnection> {
    return this.byUser.get(userId) ?? new Set();
  }

  isOnline(userId: number): boolean {
    return (this.byUser.get(userId)?.size ?? 0) > 0;
  }

  presenceOf(userId: number): PresenceStatus {
    if (!this.isOnline(userId)) return 'offline';
    if (this.inCall.has(userId)) return 'busy';
    return this.chosen.get(userId) ?? 'online';
  }

  async add(connection: ClientConnection): Promise<void> {
    const userId = connection.userId;
    const before = this.presenceOf(userId);
    let set = this.byUser.get(userId);
    if (!set) {
      set = new Set();
      this.byUser.set(userId, set);
      this.metrics.onlineUsers.inc();
    }
    set.add(connection);
    // The first device brings the stored choice; later ones must not overwrite a newer change.
    if (!this.chosen.has(userId)) this.chosen.set(userId, connection.principal.user.status);
    this.metrics.connections.inc();
    await this.presenceMayHaveChanged(userId, before);
  }

  async remove(connection: ClientConnection): Promise<void> {
    const userId = connection.userId;
    const set = this.byUser.get(userId);
    if (!set?.delete(connection)) return;
    this.metrics.connections.dec();
    const before = set.size === 0 ? this.chosenOrBusy(userId) : this.presenceOf(userId);
    if (set.size === 0) {
      this.byUser.delete(userId);
      this.chosen.delete(userId);
      this.metrics.onlineUsers.dec();
    }
    await this.presenceMayHaveChanged(userId, before);
  }

  async setChosenStatus(userId: number, status: ChosenStatus): Promise<PresenceStatus> {
    const before = this.presenceOf(userId);
    await this.store.setUserStatus(userId, status);
    if (this.isOnline(userId)) this.chosen.set(userId, status);
    for (const connection of this.connectionsOf(userId)) connection.principal.user.status = status;
    await this.presenceMayHaveChanged(userId, before);
    return this.presenceOf(userId);
  }

  /** Mark a user as in a call (busy) or not; used by the call services. */
  async setInCall(userId: number, inCall: boolean): Promise<void> {
    const before = this.presenceOf(userId);
    if (inCall) this.inCall.add(userId);
    else this.inCall.delete(userId);
    await this.presenceMayHaveChanged(userId, before);
  }

  /** Send a notification to every device of each user. */
  notify<N extends NotificationName>(userIds: Iterable<number>, event: N, data: NotificationData<N>, essential = true): void {
    this.bus.publish(userIds, encodeNotification(event, data), essential);
  }

  private chosenOrBusy(userId: number): PresenceStatus {
    return this.inCall.has(userId) ? 'busy' : (this.chosen.get(userId) ?? 'online');
  }

  private async presenceMayHaveChanged(userId: number, before: PresenceStatus): Promise<void> {
    const after = this.presenceOf(userId);
    if (after === before) return;
    let contacts: number[];
    try {
      contacts = await this.store.contactsOf(userId);
    } catch (error) {
      this.logger.error({ err: error, userId }, 'cannot load contacts for a presence update');
      return;
    }
    // Presence is non-essential: a slow socket skips it and gets the truth from its next resync.
    this.notify([userId, ...contacts], 'presence.changed', { userId, status: after }, false);
  }

  private deliverLocal(userIds: Iterable<number>, frame: string, essential: boolean): void {
    for (const userId of new Set(userIds)) {
      for (const connection of this.byUser.get(userId) ?? []) connection.send(frame, essential);
    }
  }
}
