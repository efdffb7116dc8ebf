import type { Platform } from '../../platform/index.ts';
import { clusterNamespace } from '../../realtime/namespace.ts';
import { D, emitBalanceChanges, type UserBalance } from '../ledger/index.ts';
import { findPair } from '../markets/index.ts';
import type { BookOrder } from './order-book.ts';
import type { OrderRow } from './trading.schema.ts';
import { toOrder } from './order-view.ts';

/** Engine book changes travel between machines over pub/sub (the engine runs on one machine only). */
export const ordersChannel = (platform: Platform): string => `trading:${clusterNamespace(platform)}:orders`;
export type BookMessage = { op: 'open'; order: BookOrder } | { op: 'closed'; id: string };

export function bookOrder(r: OrderRow): BookOrder {
  const o: BookOrder = { id: r.id, userId: r.userId, symbol: r.symbol, side: r.side, type: r.type, price: r.price, triggerPrice: r.triggerPrice };
  if (r.type === 'stop_limit') o.triggered = r.triggeredAt !== null;
  if (r.type === 'trailing_stop' && r.trailRef !== null) {
    const plain = (v: string | null) => (v === null ? null : new D(v).toFixed());
    o.trail = {
      amount: plain(r.trailAmount),
      percent: plain(r.trailPercent),
      ref: new D(r.trailRef).toFixed(),
      places: findPair(r.symbol)?.pricePrecision ?? 8,
    };
  }
  return o;
}

/** What a committed transaction changed; published only after commit. */
export interface Effects {
  orders: OrderRow[];
  balances: UserBalance[];
}

/** The engine on this machine (engine.ts), told of every book change at once; the other machines learn over pub/sub. */
export interface LocalBook {
  apply(msg: BookMessage): void;
}

export function publishEffects(platform: Platform, book: LocalBook, effects: Effects): void {
  for (const row of effects.orders) {
    platform.realtime.toUser(row.userId, 'order:update', toOrder(row));
    if (row.type === 'market') continue; // never rests in the book
    const msg: BookMessage = row.status === 'open' ? { op: 'open', order: bookOrder(row) } : { op: 'closed', id: row.id };
    // The local engine learns at once (no window where a tick could miss the order); the others over pub/sub.
    book.apply(msg);
    platform.pubsub.publish(ordersChannel(platform), JSON.stringify(msg)).catch((err) => platform.log.warn({ err }, 'order book message not published'));
  }
  emitBalanceChanges(platform, effects.balances);
  if (effects.orders.length) platform.events.emit('order.updated', { orderIds: effects.orders.map((o) => o.id) });
}
