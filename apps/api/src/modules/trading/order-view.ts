import type { Order } from '@cryptovault/contract';
import { D } from '../ledger/index.ts';
import type { LegacyOrderRow } from './orders.repo.ts';
import type { OrderRow } from './trading.schema.ts';

const plain = (v: string | null): string | null => (v === null ? null : new D(v).toFixed());
const iso = (d: Date | string): string => new Date(d).toISOString();

/** Database row → the contract's CCXT-style Order. */
export function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    clientOrderId: r.clientOrderId,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    status: r.status,
    price: plain(r.price),
    triggerPrice: plain(r.triggerPrice),
    triggeredAt: r.triggeredAt ? iso(r.triggeredAt) : null,
    amount: new D(r.amount).toFixed(),
    quoteAmount: plain(r.quoteAmount),
    filled: new D(r.filled).toFixed(),
    remaining: new D(r.amount).minus(r.filled).toFixed(),
    average: plain(r.average),
    cost: new D(r.cost).toFixed(),
    fee: { currency: r.feeCurrency, cost: new D(r.feeCost).toFixed(), rate: new D(r.feeRate).toFixed() },
    timeInForce: r.timeInForce,
    expiresAt: r.expiresAt ? iso(r.expiresAt) : null,
    trailAmount: plain(r.trailAmount),
    trailPercent: plain(r.trailPercent),
    linkedOrderId: r.linkedOrderId,
    replacesOrderId: r.replacesOrderId,
    rejectReason: r.rejectReason,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

/** An order imported from the original system (legacy_orders) → the contract's Order, marked imported. */
export function toLegacyOrder(r: LegacyOrderRow): Order {
  const cost = new D(r.cost);
  return {
    id: r.id,
    clientOrderId: null,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    status: r.status,
    price: plain(r.price),
    triggerPrice: plain(r.trigger_price),
    triggeredAt: null,
    amount: new D(r.amount).toFixed(),
    quoteAmount: null,
    filled: new D(r.filled).toFixed(),
    remaining: new D(r.amount).minus(r.filled).toFixed(),
    average: plain(r.average),
    cost: cost.toFixed(),
    fee: { currency: r.fee_currency, cost: new D(r.fee_cost).toFixed(), rate: cost.gt(0) ? new D(r.fee_cost).div(cost).toDecimalPlaces(18).toFixed() : '0' },
    timeInForce: r.time_in_force,
    expiresAt: null,
    trailAmount: null,
    trailPercent: null,
    linkedOrderId: null,
    replacesOrderId: null,
    rejectReason: null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    imported: true,
    originalStatus: r.original_status,
    originalType: r.original_type,
  };
}
