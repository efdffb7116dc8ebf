import type { Order } from '@cryptovault/contract';
import { D } from '../ledger/money.ts';
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
    amount: new D(r.amount).toFixed(),
    quoteAmount: plain(r.quoteAmount),
    filled: new D(r.filled).toFixed(),
    remaining: new D(r.amount).minus(r.filled).toFixed(),
    average: plain(r.average),
    cost: new D(r.cost).toFixed(),
    fee: { currency: r.feeCurrency, cost: new D(r.feeCost).toFixed(), rate: new D(r.feeRate).toFixed() },
    timeInForce: r.timeInForce,
    rejectReason: r.rejectReason,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
