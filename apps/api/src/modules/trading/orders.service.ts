import { randomUUID } from 'node:crypto';
import type { CreateOrderBody, Order, TradingPair } from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import type { Tx } from '../../platform/db/client.ts';
import { Batcher } from '../../platform/batcher.ts';
import { AppError } from '../../platform/errors.ts';
import { runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { D, type Dec, decimalPlaces, hold, post, postWithCompanion, release, shardFor, toSql, type UserBalance } from '../ledger/index.ts';
import { cursorCodec } from '../../platform/db/paging.ts';
import { pgError, retryTransient } from '../../platform/db/sql.ts';
import { findPair } from '../markets/index.ts';
import { triggerOf } from './order-book.ts';
import { findLegacyOrder, findOrder, insertOrder, insertOrdersIfApplied, listLegacyOrders, listOrders, lockOrder, updateOrder } from './orders.repo.ts';
import { toLegacyOrder, toOrder } from './order-view.ts';
import { amountForBudget, buyHold, executionPrice, type Fill, fillEntry } from './settlement.ts';
import { type Effects, type LocalBook, publishEffects } from './trading.events.ts';
import type { NewOrderRow, OrderRow } from './trading.schema.ts';

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

/** A market order ready to fill: its new row and its fill at the current price. */
interface MarketFill {
  base: NewOrderRow;
  fill: Fill;
}

/** Orders page by (cursor timestamp, id) — the timestamp as PostgreSQL printed it, kept verbatim. */
const orderCursor = cursorCodec<{ ts: string; id: string }>(
  (c) => [c.ts, c.id],
  ([ts, id, ...rest]) => (ts && id && rest.length === 0 && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(Date.parse(ts)) ? { ts, id } : null),
);

export class OrdersService {
  private readonly marketFills: Batcher<MarketFill, Effects | null>;

  constructor(
    private readonly platform: Platform,
    private readonly book: LocalBook,
  ) {
    // Group commit: everything that arrives while a batch runs goes out together in the next one. On PostgreSQL a
    // second batch may run beside the first once at least 16 orders wait (smaller batches side by side cost more
    // statements than they save in waiting; measured in bench/orders.mjs). PGlite has one connection.
    this.marketFills = new Batcher((items) => this.fillBatch(items), {
      maxInFlight: platform.config.database.kind === 'postgres' ? 2 : 1,
      maxBatch: 64,
      minShare: 16,
      onBatch: (size) => platform.metrics.marketFillBatch.observe(size),
    });
  }

  get feeRate(): Dec {
    return new D(this.platform.config.trading.feeRate);
  }

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
    if (amount.times(refPrice).gt(pair.maxCost)) throw tooLarge(pair, body.price !== undefined ? 'price' : body.triggerPrice !== undefined ? 'triggerPrice' : 'amount');

    if (body.type === 'market' && idempotencyKey === null) {
      const filled = await this.marketFills.submit(this.marketFill(userId, pair, body, amount, now!));
      if (filled) {
        publishEffects(this.platform, this.book, filled);
        return { order: toOrder(filled.orders[0]!), replayed: false };
      }
    }
    let effects: Effects = { orders: [], balances: [] };
    const result = await retryTransient(() =>
      runIdempotent(this.platform.database.db, { userId, scope: 'orders', key: idempotencyKey, body }, async (tx) => {
        effects = await this.create(tx, userId, pair, body, amount, now);
        return { status: 201, body: toOrder(effects.orders[0]!) };
      }),
    );
    if (!result.replayed) publishEffects(this.platform, this.book, effects);
    return { order: result.body, replayed: result.replayed };
  }

  /**
   * Market orders without an Idempotency-Key, filled in one statement per batch: each order row is written by a
   * companion of the fill entries (ledger.repo.ts), so orders and entries commit together in one round trip with no
   * explicit transaction. Orders arriving while earlier batches are still running go out together in the next one
   * (group commit, platform/batcher.ts). A batch is all or nothing; when it cannot be applied as a whole (one order
   * without the funds, a duplicate clientOrderId) each of its orders is tried alone, so one order never refuses
   * another. Null, having written nothing, when an account does not exist yet (a first trade in an asset): `create`
   * handles that order.
   */
  private async fillBatch(items: MarketFill[]): Promise<PromiseSettledResult<Effects | null>[]> {
    if (items.length > 1) {
      try {
        const all = await retryTransient(() => this.fillTogether(items));
        if (all) return all.map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // tried alone below: each order then gets its own answer
      }
    }
    const out: PromiseSettledResult<Effects | null>[] = [];
    for (const item of items) {
      try {
        const one = await retryTransient(() => this.fillTogether([item]));
        out.push({ status: 'fulfilled', value: one ? one[0]! : null });
      } catch (reason) {
        out.push({ status: 'rejected', reason });
      }
    }
    return out;
  }

  private async fillTogether(items: MarketFill[]): Promise<Effects[] | null> {
    // One platform shard for the whole batch: its platform rows are updated once, not once per order. Batches
    // led by different users land on different shards, so batches running at once do not queue on each other.
    const shard = shardFor(items[0]!.fill.userId);
    const fills = items.map((i) => fillEntry({ ...i.fill, shard }));
    const rows = items.map(({ base, fill }, k) => ({
      ...base,
      status: 'closed' as const,
      filled: toSql(fill.amount),
      cost: toSql(fills[k]!.cost),
      average: toSql(fill.price),
      feeCost: toSql(fills[k]!.fee),
    }));
    try {
      const posted = await postWithCompanion(this.platform.database.db, fills.map((f) => f.entry), insertOrdersIfApplied(rows));
      if (!posted) return null;
      const createdAt = new Date(String(posted.row.c_created_at));
      return rows.map((row, k) => ({
        orders: [
          {
            ...row,
            id: row.id!,
            clientOrderId: row.clientOrderId ?? null,
            timeInForce: row.timeInForce ?? 'GTC',
            price: null,
            triggerPrice: null,
            quoteAmount: row.quoteAmount ?? null,
            held: '0',
            rejectReason: null,
            createdAt,
            updatedAt: createdAt,
          },
        ],
        balances: posted.results[k]!.balances,
      }));
    } catch (err) {
      throw duplicateClientOrderId(err) ?? err;
    }
  }

  /** The new row and the fill of a market order filled at `now`. */
  private marketFill(userId: string, pair: TradingPair, body: CreateOrderBody, amount: Dec, now: Dec): MarketFill {
    const base = this.newOrderRow(userId, pair, body, amount);
    return { base, fill: { userId, orderId: base.id!, pair, side: body.side, amount, price: now, feeRate: this.feeRate, held: new D(0), heldAsset: base.heldAsset } };
  }

  private newOrderRow(userId: string, pair: TradingPair, body: CreateOrderBody, amount: Dec): NewOrderRow {
    return {
      id: randomUUID(),
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
      feeCurrency: QUOTE_ASSET,
      feeRate: toSql(this.feeRate),
      heldAsset: body.side === 'buy' ? pair.quote : pair.base,
      held: '0',
    };
  }

  private async create(tx: Tx, userId: string, pair: TradingPair, body: CreateOrderBody, amount: Dec, now: Dec | null): Promise<Effects> {
    const rate = this.feeRate;
    const base = this.newOrderRow(userId, pair, body, amount);
    const id = base.id!;
    const immediate = body.type === 'market' || (now !== null && fires({ ...base, side: body.side, type: body.type, price: base.price ?? null, triggerPrice: base.triggerPrice ?? null }, now));
    try {
      if (immediate) {
        const fill = fillEntry({ userId, orderId: id, pair, side: body.side, amount, price: now!, feeRate: rate, held: new D(0), heldAsset: base.heldAsset });
        const row = await insertOrder(tx, {
          ...base,
          status: 'closed',
          filled: toSql(amount),
          cost: toSql(fill.cost),
          average: toSql(now!),
          feeCost: toSql(fill.fee),
        });
        const posted = await post(tx, fill.entry);
        return { orders: [row], balances: posted.balances };
      }
      if (base.timeInForce !== 'GTC') {
        return { orders: [await insertOrder(tx, { ...base, status: 'expired' })], balances: [] };
      }
      const worst = new D(body.price ?? body.triggerPrice!);
      const held = body.side === 'buy' ? buyHold(amount, worst, rate) : amount;
      const row = await insertOrder(tx, { ...base, held: toSql(held) });
      const posted = await hold(tx, { userId, asset: base.heldAsset, amount: held, reference: `order:${id}` });
      return { orders: [row], balances: posted.balances };
    } catch (err) {
      throw duplicateClientOrderId(err) ?? err;
    }
  }

  /** Cancels an open order and releases exactly what it still holds. Another user's order is 404. */
  async cancel(userId: string, orderId: string): Promise<Order> {
    const effects = await retryTransient(() => this.platform.database.db.transaction(async (tx) => {
      const row = await lockOrder(tx, orderId, userId);
      if (!row) {
        if (await findLegacyOrder(tx, userId, orderId)) throw new AppError('INVALID_STATE', 'Imported orders are read-only history; only open orders can be canceled');
        throw new AppError('NOT_FOUND', 'Order not found');
      }
      if (row.status !== 'open') throw new AppError('INVALID_STATE', `Order is ${row.status}; only open orders can be canceled`);
      const updated = await updateOrder(tx, row.id, { status: 'canceled', held: '0' });
      const balances: UserBalance[] = [];
      if (new D(row.held).gt(0)) {
        balances.push(...(await release(tx, { userId, asset: row.heldAsset, amount: row.held, reference: `order:${row.id}` })).balances);
      }
      return { orders: [updated], balances };
    }));
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
