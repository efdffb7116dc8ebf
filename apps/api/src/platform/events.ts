import { EventEmitter } from 'node:events';

/**
 * Typed in-process domain events. Modules add their events by declaration merging:
 *
 *   declare module '../../platform/events.ts' { interface DomainEvents { 'order.updated': Order } }
 *
 * Services emit; the realtime layer, notifications and the engine subscribe. Nobody calls Socket.IO directly.
 * Cross-machine delivery, where needed, is the subscriber's job (through PubSub).
 */
export interface DomainEvents {
  /**
   * Something for one user's browser(s): the realtime layer emits `event` with `payload` to the Socket.IO room
   * `user:<userId>` on every machine. `event` is a server→client event name of the socket contract
   * (`order:update`, `balance:update`, `notification`, `alert:triggered`, `deposit:update`, `withdrawal:update`).
   */
  'user.push': { userId: string; event: string; payload: unknown };
  /**
   * Sessions that just ended (logout, logout-all, password change or reset, suspension, force-logout, 2FA change):
   * the realtime layer disconnects their sockets (room `session:<id>`) on every machine. Emit after the commit.
   */
  'session.revoked': { sessionIds: string[] };
  /** Something for every connected client (`announcement`). */
  'broadcast.push': { event: string; payload: unknown };
}

type Handler<T> = (payload: T) => void | Promise<void>;

export class EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  constructor(private readonly onHandlerError: (event: string, err: unknown) => void = () => undefined) {}

  on<K extends keyof DomainEvents & string>(event: K, handler: Handler<DomainEvents[K]>): () => void {
    const wrapped = (payload: DomainEvents[K]) => {
      try {
        const r = handler(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((err) => this.onHandlerError(event, err));
      } catch (err) {
        this.onHandlerError(event, err);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof DomainEvents & string>(event: K, payload: DomainEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
