/**
 * Fan-out of encoded frames to users' devices. The embedded default delivers in process;
 * with several signaling nodes a Redis pub/sub implementation delivers to every node, and each
 * node hands the frame to its local sockets.
 */
export interface MessageBus {
  /** Deliver `frame` to every connected device of each user. `essential: false` may be shed for slow sockets. */
  publish(userIds: Iterable<number>, frame: string, essential: boolean): void;
  /** Register the local delivery function (one per node). */
  subscribe(deliver: (userIds: Iterable<number>, frame: string, essential: boolean) => void): void;
}

export class InProcessBus implements MessageBus {
  private deliver: ((userIds: Iterable<number>, frame: string, essential: boolean) => void) | undefined;

  publish(userIds: Iterable<number>, frame: string, essential: boolean): void {
    this.deliver?.(userIds, frame, essential);
  }

  subscribe(deliver: (userIds: Iterable<number>, frame: string, essential: boolean) => void): void {
    this.deliver = deliver;
  }
}
