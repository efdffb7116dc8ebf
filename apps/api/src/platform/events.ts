import { EventEmitter } from 'node:events';
import type { PriceTick } from './prices.ts';

/**
 * Every in-process domain event, in this one map (a type, so nothing adds to it by declaration merging); each has a
 * subscriber. Services emit, other parts subscribe; cross-machine delivery, where needed, is the subscriber's job
 * (PubSub or the Socket.IO adapter). What goes to browsers is not a domain event: services publish it through the
 * typed `RealtimePort` (platform/realtime-port.ts).
 */
export type DomainEvents = {
  /**
   * Prices that changed, on every machine (the market-data feed applies the poller's ticks it receives over pub/sub).
   * Subscribers: the realtime layer (`prices` batches), the trading engine (triggers), price alerts.
   */
  'price.tick': PriceTick;
  /**
   * Sessions that just ended (logout, logout-all, password change or reset, suspension, force-logout, 2FA change):
   * the realtime layer disconnects their sockets (room `session:<id>`) on every machine. Emit after the commit.
   */
  'session.revoked': { sessionIds: string[] };
  /**
   * Orders whose status changed, emitted by trading after the commit (publishEffects). The change itself was also
   * recorded in the database, in the same transaction (order_events, migration 0021): this event only says "look
   * now". Subscriber: the notifications module (order-notifications.ts), which turns the recorded events into
   * notifications and emails.
   */
  'order.updated': { orderIds: string[] };
  /**
   * A withdrawal was requested and waits for review, emitted by withdrawals after the commit. Subscriber: the
   * Telegram bot (alerts for large ones, modules/telegram/telegram.alerts.ts).
   */
  'withdrawal.requested': WithdrawalRequestedEvent;
  /** A deposit went to the operator review queue, emitted by payments after the commit. Subscriber: the Telegram bot. */
  'deposit.review': { depositId: string; userId: string; amountUsd: string; status: string; reason: string | null };
  /**
   * A KYC submission waits for review (emitted by the KYC module after its commit). Subscriber: the Telegram bot,
   * which alerts the operators.
   */
  'kyc.submitted': { submissionId: string; userId: string; tier: number };
};

export interface WithdrawalRequestedEvent {
  withdrawalId: string;
  userId: string;
  asset: string;
  amount: string;
  amountUsd: string;
  network: string;
  address: string;
  requiredApprovals: number;
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
