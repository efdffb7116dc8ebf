import { randomUUID } from 'node:crypto';
import type { CreateOrderBody, Order, TradingPair } from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import { insertRows, tableRows } from '../../platform/db/table-rows.ts';
import { AppError } from '../../platform/errors.ts';
import { idempotencyRecord, storedAnswer } from '../../platform/idempotency/idempotency.ts';
import { idempotencyKeys } from '../../platform/idempotency/idempotency.schema.ts';
import type { Platform } from '../../platform/index.ts';
import { D, type Dec, decimalPlaces, holdEntry, type JournalEntryInput, type LedgerWriter, release, toSql, type UserBalance } from '../ledger/index.ts';
import { cursorCodec } from '../../platform/db/paging.ts';
import { pgError, retryTransient } from '../../platform/db/sql.ts';
import { findPair } from '../markets/index.ts';
import { triggerOf } from './order-book.ts';
import { findLegacyOrder, findOrder, listLegacyOrders, listOrders, lockOrder, updateOrder } from './orders.repo.ts';
import { toLegacyOrder, toOrder } from './order-view.ts';
import { amountForBudget, buyHold, executionPrice, fillEntry } from './settlement.ts';
import { type LocalBook, publishEffects } from './trading.events.ts';
import { type OrderRow, orders } from './trading.schema.ts';

const invalid = (path: string, message: string) => new AppError('VALIDATION_ERROR', message, [{ path: ['body', path], message }]);

const tooLarge = (pair: TradingPair, field: string) =>
  invalid(field, `The order value (amount × price) is above the largest order this platform takes, ${new D(pair.maxCost).toFixed(0)} ${pair.quote}`);

function checkPlaces(value: string | undefined, places: number, field: string): void {
  if (value !== undefined && decimalPlaces(value) > places) throw invalid(field, `${field} allows at most ${places} decimal places for this pair`);
}

/** The server's current price for a pair, or null when the feed is stale or silent about it. */
export function currentPrice(platform: Pick<Platform, 'config' | 'prices'>, pair: TradingPair): Dec | null {
  const prices = platform.prices;
  if (prices.isStale()) return null;
  const q = prices.get(pair.assetId);
  if (!q || Date.now() - q.updatedAt > platform.config.prices.maxAgeMs) return null;
  return executionPrice(pair, q.priceUsd);
}

/** Would a resting order fire at `price` right now? (the engine's rule, see order-book.ts) */
function fires(o: { side: 'buy' | 'sell'; type: OrderRow['type']; price: string | null; triggerPrice: string | null }, price: Dec): boolean {
  const t = triggerOf({ id: '', userId: '', symbol: '', ...o });
  if (!t) return false;
  return t.direction === 'down' ? price.lte(t.level) : price.gte(t.level);
}

function duplicateClientOrderId(err: unknown): AppError | null {
  const pg = pgError(err);
  if (pg.code === '23505' && pg.constraint === 'orders_client_order_id') {
    return new AppError('CONFLICT', 'An order with this clientOrderId already exists', [{ path: ['body', 'clientOrderId'], message: 'duplicate' }]);
  }
  return null;
}

/** What placing an order writes: its row, and the journal entry that comes with it (none for an expired IOC). */
interface Placement {
  row: OrderRow;
  entry: JournalEntryInput | null;
}

/** Orders page by (cursor timestamp, id) — the timestamp as PostgreSQL printed it, kept verbatim. */
const orderCursor = cursorCodec<{ ts: string; id: string }>(
  (c) => [c.ts, c.id],
  ([ts, id, ...rest]) => (ts && id && rest.length === 0 && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(Date.parse(ts)) ? { ts, id } : null),
);

export class OrdersService {
  constructor(
    private readonly platform: Platform,
    private readonly book: LocalBook,
    private readonly ledger: LedgerWriter,
  ) {}

  get feeRate(): Dec {
    return new D(this.platform.config.trading.feeRate);
  }

  /**
   * Places an order: validates it, decides what it does at the current price (fills now, rests with a hold, or
   * expires), and writes the order, its journal entry and the Idempotency-Key record (when a key is given) together
   * through the ledger (LedgerWriter.submit: one statement, shared with the orders placed at the same time). A key
   * already used answers the stored result of its first request (`replayed`), or IDEMPOTENCY_MISMATCH for a
   * different body; a request that fails stores nothing, so its key can be retried.
   */
  async place(userId: string, body: CreateOrderBody, idempotencyKey: string | null): Promise<{ order: Order; replayed: boolean }> {
    const pair = findPair(body.symbol);
    if (!pair) throw invalid('symbol', `Unknown trading pair ${body.symbol}`);
    checkPlaces(body.amount, pair.amountPrecision, 'amount');
    checkPlaces(body.price, pair.pricePrecision, 'price');
    checkPlaces(body.triggerPrice, pair.pricePrecision, 'triggerPrice');
    checkPlaces(body.quoteAmount, 2, 'quoteAmount');
    const now = currentPrice(this.platform, pair);
    if (body.type === 'market' && !now) throw new AppError('PRICE_STALE', 'Prices are stale right now; market orders are paused');

    const rate = this.feeRate;
    let amount: Dec;
    if (body.quoteAmount !== undefined) {
      if (new D(body.quoteAmount).lt(pair.minCost)) throw new AppError('MIN_AMOUNT', `Minimum order value is ${pair.minCost} ${pair.quote}`);
      if (new D(body.quoteAmount).gt(pair.maxCost)) throw tooLarge(pair, 'quoteAmount');
      amount = amountForBudget(pair, new D(body.quoteAmount), now!, rate);
    } else {
      amount = new D(body.amount!);
    }
    if (amount.lt(pair.minAmount)) throw new AppError('MIN_AMOUNT', `Minimum amount is ${pair.minAmount} ${pair.base}`);
    const refPrice = new D(body.price ?? body.triggerPrice ?? now!);
    if (amount.times(refPrice).lt(pair.minCost)) throw new AppError('MIN_AMOUNT', `Minimum order value is ${pair.minCost} ${pair.quote}`);
    if (amount.times(refPrice).gt(pair.maxCost))
      throw tooLarge(pair, body.price !== undefined ? 'price' : body.triggerPrice !== undefined ? 'triggerPrice' : 'amount');

    const { row, entry } = this.placement(userId, pair, body, amount, now);
    const order = toOrder(row);
    const request = { userId, scope: 'orders', key: idempotencyKey, body };
    const writes = [tableRows(orders, row)];
    if (idempotencyKey !== null)
      writes.push(tableRows(idempotencyKeys, idempotencyRecord({ ...request, key: idempotencyKey }, { status: 201, body: order }, row.createdAt)));
    let balances: UserBalance[] = [];
    try {
      if (entry) balances = (await this.ledger.submit(entry, writes)).balances;
      else await retryTransient(() => this.platform.database.db.transaction((tx) => insertRows(tx, writes)));
    } catch (err) {
      // A key used before: its first answer (whatever refused this attempt: the key itself, or the funds it spent).
      const prior = await storedAnswer<Order>(this.platform.database.db, request, err);
      if (prior) return { order: prior.body, replayed: true };
      throw duplicateClientOrderId(err) ?? err;
    }
    publishEffects(this.platform, this.book, { orders: [row], balances });
    return { order, replayed: false };
  }

  /** The order's row as it is written, and its entry: a fill at `now`, a hold for a resting order, or none. */
  private placement(userId: string, pair: TradingPair, body: CreateOrderBody, amount: Dec, now: Dec | null): Placement {
    const rate = this.feeRate;
    const id = randomUUID();
    // The row is complete before it is written: its answer and the Idempotency-Key record are made from it, in the
    // same statement as the row itself. So its time is this process's clock at placement, not the database's.
    const at = new Date();
    const heldAsset = body.side === 'buy' ? pair.quote : pair.base;
    const base: OrderRow = {
      id,
      userId,
      clientOrderId: body.clientOrderId ?? null,
      symbol: pair.symbol,
      base: pair.base,
      quote: pair.quote,
      side: body.side,
      type: body.type,
      status: 'open',
      timeInForce: body.timeInForce ?? 'GTC',
      price: body.price ?? null,
      triggerPrice: body.triggerPrice ?? null,
      amount: toSql(amount),
      quoteAmount: body.quoteAmount ?? null,
      filled: '0',
      cost: '0',
      average: null,
      feeCost: '0',
      feeCurrency: QUOTE_ASSET,
      feeRate: toSql(rate),
      heldAsset,
      held: '0',
      rejectReason: null,
      createdAt: at,
      updatedAt: at,
    };
    const immediate = body.type === 'market' || (now !== null && fires(base, now));
    if (immediate) {
      const fill = fillEntry({ userId, orderId: id, pair, side: body.side, amount, price: now!, feeRate: rate, held: new D(0), heldAsset });
      return {
        row: { ...base, status: 'closed', filled: toSql(amount), cost: toSql(fill.cost), average: toSql(now!), feeCost: toSql(fill.fee) },
        entry: fill.entry,
      };
    }
    if (base.timeInForce !== 'GTC') return { row: { ...base, status: 'expired' }, entry: null };
    const worst = new D(body.price ?? body.triggerPrice!);
    const held = body.side === 'buy' ? buyHold(amount, worst, rate) : amount;
    return { row: { ...base, held: toSql(held) }, entry: holdEntry({ userId, asset: heldAsset, amount: held, reference: `order:${id}` }) };
  }

  /** Cancels an open order and releases exactly what it still holds. Another user's order is 404. */
  async cancel(userId: string, orderId: string): Promise<Order> {
    const effects = await retryTransient(() =>
      this.platform.database.db.transaction(async (tx) => {
        const row = await lockOrder(tx, orderId, userId);
        if (!row) {
          if (await findLegacyOrder(tx, userId, orderId))
            throw new AppError('INVALID_STATE', 'Imported orders are read-only history; only open orders can be canceled');
          throw new AppError('NOT_FOUND', 'Order not found');
        }
        if (row.status !== 'open') throw new AppError('INVALID_STATE', `Order is ${row.status}; only open orders can be canceled`);
        const updated = await updateOrder(tx, row.id, { status: 'canceled', held: '0' });
        const balances: UserBalance[] = [];
        if (new D(row.held).gt(0)) {
          balances.push(...(await release(tx, { userId, asset: row.heldAsset, amount: row.held, reference: `order:${row.id}` })).balances);
        }
        return { orders: [updated], balances };
      }),
    );
    publishEffects(this.platform, this.book, effects);
    return toOrder(effects.orders[0]!);
  }

  async get(userId: string, orderId: string): Promise<Order> {
    const row = await findOrder(this.platform.database.db, userId, orderId);
    if (row) return toOrder(row);
    const imported = await findLegacyOrder(this.platform.database.db, userId, orderId);
    if (!imported) throw new AppError('NOT_FOUND', 'Order not found');
    return toLegacyOrder(imported);
  }

  async list(
    userId: string,
    q: { status: 'open' | 'closed' | 'all'; symbol?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: Order[]; nextCursor: string | null }> {
    const after = orderCursor.decode(q.cursor) ?? undefined;
    const symbol = q.symbol ? (findPair(q.symbol)?.symbol ?? q.symbol) : undefined;
    const db = this.platform.database.db;
    const live = await listOrders(db, { userId, status: q.status, symbol, limit: q.limit + 1, after });
    // Orders imported from the original system join closed/all history (never open), on the same keyset.
    const imported = await listLegacyOrders(db, { userId, status: q.status, symbol, limit: q.limit + 1, after });
    const merged = [
      ...live.map((r) => ({ cursorTs: r.cursorTs, id: r.id, order: () => toOrder(r) })),
      ...imported.map((r) => ({ cursorTs: r.cursorTs, id: r.id, order: () => toLegacyOrder(r) })),
    ].sort((a, b) => (a.cursorTs === b.cursorTs ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.cursorTs < b.cursorTs ? 1 : -1));
    const page = merged.slice(0, q.limit);
    const last = page.at(-1);
    const nextCursor = merged.length > q.limit && last ? orderCursor.encode({ ts: last.cursorTs, id: last.id }) : null;
    return { items: page.map((p) => p.order()), nextCursor };
  }
}
