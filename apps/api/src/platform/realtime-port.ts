import type { BroadcastEvent, ClientEventMap, UserEvent } from '@cryptovault/contract';

/**
 * The typed port services publish to browsers through: the event name picks the payload type from the socket
 * contract (`ClientEventMap`), so `toUser(id, 'order:update', order)` with anything but an `Order`, or an event
 * name the contract does not have, does not compile. Publish after the commit; delivery is best effort (a browser
 * that was away refetches on reconnect).
 */
export interface RealtimePort {
  /** To the user's sockets on every machine (room `user:<userId>`). */
  toUser<E extends UserEvent>(userId: string, event: E, payload: ClientEventMap[E]): void;
  /** To every connected client on every machine. */
  broadcast<E extends BroadcastEvent>(event: E, payload: ClientEventMap[E]): void;
}

/** Where published messages go: the Socket.IO layer of this machine (realtime/server.ts), which reaches the others. */
export type RealtimeSink = RealtimePort;

/**
 * The port's implementation: hands each message to the attached sinks, none until Socket.IO has started (and none
 * in the CLI), so a message published then reaches nobody, as it would reach no connected browser. A failing sink
 * is reported, never thrown at the publisher (who has already committed).
 */
export class RealtimeHub implements RealtimePort {
  private readonly sinks = new Set<RealtimeSink>();

  constructor(private readonly onSinkError: (err: unknown) => void = () => undefined) {}

  toUser<E extends UserEvent>(userId: string, event: E, payload: ClientEventMap[E]): void {
    for (const sink of this.sinks) {
      try {
        sink.toUser(userId, event, payload);
      } catch (err) {
        this.onSinkError(err);
      }
    }
  }

  broadcast<E extends BroadcastEvent>(event: E, payload: ClientEventMap[E]): void {
    for (const sink of this.sinks) {
      try {
        sink.broadcast(event, payload);
      } catch (err) {
        this.onSinkError(err);
      }
    }
  }

  /** Returns the detach function. */
  attach(sink: RealtimeSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}
