import { randomUUID } from 'node:crypto';
import {
  type AmendOrderBody,
  type CreateOrderBody,
  type CreateQuoteBody,
  fieldLabel,
  formatMoney,
  type Order,
  type Quote,
  type TradingPair,
} from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import { insertRows, tableRows } from '../../platform/db/table-rows.ts';
import { AppError } from '../../platform/errors.ts';
import { idempotencyRecord, storedAnswer } from '../../platform/idempotency/idempotency.ts';
import { idempotencyKeys } from '../../platform/idempotency/idempotency.schema.ts';
import type { Platform } from '../../platform/index.ts';
import {
  D,
  type Dec,
  decimalPlaces,
  hold,
  holdEntry,
  type JournalEntryInput,
  type LedgerWriter,
  release,
  shortfall,
  toSql,
  type UserBalance,
  ZERO,
} from '../ledger/index.ts';
import { cursorCodec } from '../../platform/db/paging.ts';
import { pgError, retryTransient } from '../../platform/db/sql.ts';
import type { Executor } from '../../platform/db/client.ts';
import { findPair } from '../markets/index.ts';
import { closeGroup } from './fills.ts';
import { trailLevel, triggerOf } from './order-book.ts';
import { findLegacyOrder, findOrder, listLegacyOrders, listOrders, lockGroup, updateOrder } from './orders.repo.ts';
import { toLegacyOrder, toOrder } from './order-view.ts';
import { amountForBudget, buyHold, executionPrice, fillEntry } from './settlement.ts';
import { type FirmQuote, QuoteBook } from './quotes.ts';
import { bookOrder, type LocalBook, publishEffects } from './trading.events.ts';
import { type OrderRow, orders } from './trading.schema.ts';

const invalid = (path: string, message: string) => new AppError('VALIDATION_ERROR', message, [{ path: ['body', path], message }]);

const tooLarge = (pair: TradingPair, field: string) =>
  invalid(field, `The order value (amount × price) is above the largest order this platform takes, ${formatMoney(pair.maxCost, pair.quote)}`);

function checkPlaces(value: string | undefined, places: number, field: string, pair: TradingPair): void {
  if (value === undefined || decimalPlaces(value) <= places) return;
  const unit = field === 'amount' ? ` (${pair.base})` : field === 'trailPercent' || field === 'quoteAmount' ? '' : ` (${pair.quote})`;
  throw invalid(field, `${fieldLabel([field])}${unit} can have at most ${places} decimal place${places === 1 ? '' : 's'} for ${pair.symbol}`);
}

/** How a funds refusal of an order reads: a buy's USD figure includes its fee ("fee included"). */
const fundsWords = (what: string, side: 'buy' | 'sell', pair: TradingPair, extra?: string) => ({
  what,
  detail: (asset: string) => [extra, side === 'buy' && asset === pair.quote ? 'fee included' : undefined].filter(Boolean).join(', ') || undefined,
});

/** MIN_AMOUNT in words: the smallest amount of the coin, or the smallest order value, of this pair. */
const belowMinAmount = (pair: TradingPair) =>
  new AppError('MIN_AMOUNT', `The smallest amount of ${pair.base} you can trade is ${formatMoney(pair.minAmount, pair.base)}`, [
    { path: ['body', 'amount'], message: 'too small' },
  ]);
const belowMinCost = (pair: TradingPair, field: 'amount' | 'quoteAmount' = 'amount') =>
  new AppError('MIN_AMOUNT', `The smallest order on ${pair.symbol} is worth ${formatMoney(pair.minCost, pair.quote, { rounding: 'up' })}`, [
    { path: ['body', field], message: 'too small' },
  ]);

/** The server's current price for a pair, or null when the feed is stale or silent about it. */
export function currentPrice(platform: Pick<Platform, 'config' | 'prices'>, pair: TradingPair): Dec | null {
  const prices = platform.prices;
  if (prices.isStale()) return null;
  const q = prices.get(pair.assetId);
  if (!q || Date.now() - q.updatedAt > platform.config.prices.maxAgeMs) return null;
  return executionPrice(pair, q.priceUsd);
}

/** Would a resting order fire at `price` right now? (the engine's rule, see order-book.ts) */
function fires(row: OrderRow, price: Dec): boolean {
  const t = triggerOf(bookOrder(row));
  if (!t) return false;
  return t.direction === 'down' ? price.lte(t.level) : price.gte(t.level);
}

/** `$50,000.00`-style text for the messages a person reads (a small coin's price keeps its places: `$0.000123`). */
const money = (v: Dec | string, places: number): string => formatMoney(typeof v === 'string' ? v : v.toFixed(), 'USD', { maxDecimals: places });

const TYPE_WORDS: Record<OrderRow['type'], string> = {
  market: 'market',
  limit: 'limit',
  stop_loss: 'stop-loss',
  take_profit: 'take-profit',
  stop_limit: 'stop-limit',
  trailing_stop: 'trailing stop',
};

/** TRIGGER_WOULD_FIRE_NOW for a trigger the market has already passed, in words. */
function wouldFireNow(row: OrderRow, pair: TradingPair, now: Dec, hint: string): AppError {
  const t = triggerOf(bookOrder(row));
  const level = t ? money(t.level, pair.pricePrecision) : '';
  const move = t?.direction === 'down' ? 'falls to' : 'rises to';
  const field = row.type === 'limit' ? 'price' : 'triggerPrice';
  const message =
    `A ${TYPE_WORDS[row.type]} ${row.side} triggers when the price ${move} ${level}; ${pair.base} is at ${money(now, pair.pricePrecision)} now, ` +
    `so it would fill at once. ${hint}`;
  return new AppError('TRIGGER_WOULD_FIRE_NOW', message, [{ path: ['body', field], message }]);
}

function duplicateClientOrderId(err: unknown): AppError | null {
  const pg = pgError(err);
  if (pg.code === '23505' && pg.constraint === 'orders_client_order_id') {
    return new AppError('CONFLICT', 'An order with this clientOrderId already exists', [{ path: ['body', 'clientOrderId'], message: 'duplicate' }]);
  }
  return null;
}

/**
 * What placing an order writes: its row (two for an OCO pair, the answer first), and the journal entry that comes
 * with it (none for an expired IOC).
 */
interface Placement {
  rows: OrderRow[];
  entry: JournalEntryInput | null;
}

/** Good-till-date orders may be set to expire at most this far ahead. */
const MAX_GTD_MS = 366 * 24 * 3600_000;

/** Orders page by (cursor timestamp, id) — the timestamp as PostgreSQL printed it, kept verbatim. */
const orderCursor = cursorCodec<{ ts: string; id: string }>(
  (c) => [c.ts, c.id],
  ([ts, id, ...rest]) => (ts && id && rest.length === 0 && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(Date.parse(ts)) ? { ts, id } : null),
);

export class OrdersService {
  /** Firm quotes for market orders, in the shared cache (quotes.ts). */
  private readonly quotes: QuoteBook;

  constructor(
    private readonly platform: Platform,
    private readonly book: LocalBook,
    private readonly ledger: LedgerWriter,
  ) {
    this.quotes = new QuoteBook(platform.cache);
  }

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
    checkPlaces(body.amount, pair.amountPrecision, 'amount', pair);
    for (const f of ['price', 'triggerPrice', 'takeProfitPrice', 'stopLossPrice', 'trailAmount'] as const) checkPlaces(body[f], pair.pricePrecision, f, pair);
    checkPlaces(body.trailPercent, 2, 'trailPercent', pair);
    checkPlaces(body.quoteAmount, 2, 'quoteAmount', pair);
    if (body.expiresAt !== undefined) {
      const ms = Date.parse(body.expiresAt) - Date.now();
      if (ms <= 0) throw invalid('expiresAt', 'The expiry time must be in the future');
      if (ms > MAX_GTD_MS) throw invalid('expiresAt', 'The expiry time can be at most a year ahead');
    }
    const live = currentPrice(this.platform, pair);
    if (body.type === 'market' && !live) throw new AppError('PRICE_STALE', 'Prices are stale right now; market orders are paused');
    if (body.type === 'trailing_stop' && !live)
      throw new AppError('PRICE_STALE', 'Prices are stale right now; a trailing stop starts from the current price, so it cannot be placed');
    // A firm quote (quotes.ts): the order fills at the quoted price, or is refused when the price moved too far.
    const firm = body.quoteId !== undefined ? await this.redeem(userId, pair, body, live!, idempotencyKey) : null;
    if (firm && 'replayed' in firm) return firm;
    const now = firm?.price ?? live;

    const rate = this.feeRate;
    let amount: Dec;
    if (body.quoteAmount !== undefined) {
      if (new D(body.quoteAmount).lt(pair.minCost)) throw belowMinCost(pair, 'quoteAmount');
      if (new D(body.quoteAmount).gt(pair.maxCost)) throw tooLarge(pair, 'quoteAmount');
      amount = amountForBudget(pair, new D(body.quoteAmount), now!, rate);
    } else {
      amount = new D(body.amount!);
    }
    if (amount.lt(pair.minAmount)) throw belowMinAmount(pair);
    const levels = [body.price, body.triggerPrice, body.takeProfitPrice, body.stopLossPrice].filter((v): v is string => v !== undefined).map((v) => new D(v));
    if (levels.length === 0) levels.push(now!);
    if (amount.times(D.min(...levels)).lt(pair.minCost)) throw belowMinCost(pair);
    if (amount.times(D.max(...levels)).gt(pair.maxCost))
      throw tooLarge(pair, body.price !== undefined ? 'price' : body.triggerPrice !== undefined ? 'triggerPrice' : 'amount');

    const { rows: placed, entry } = this.placement(userId, pair, body, amount, now);
    const row = placed[0]!;
    const order = toOrder(row);
    const request = { userId, scope: 'orders', key: idempotencyKey, body };
    const writes = [tableRows(orders, ...placed)];
    if (idempotencyKey !== null)
      writes.push(tableRows(idempotencyKeys, idempotencyRecord({ ...request, key: idempotencyKey }, { status: 201, body: order }, row.createdAt)));
    let balances: UserBalance[] = [];
    try {
      if (entry) balances = (await this.ledger.submit(entry, writes)).balances;
      else await retryTransient(() => this.platform.database.db.transaction((tx) => insertRows(tx, writes)));
    } catch (err) {
      await firm?.release(); // nothing was written: the quote may be used again
      // A key used before: its first answer (whatever refused this attempt: the key itself, or the funds it spent).
      const prior = await storedAnswer<Order>(this.platform.database.db, request, err);
      if (prior) return { order: prior.body, replayed: true };
      if (entry && err instanceof AppError && err.code === 'INSUFFICIENT_FUNDS')
        throw (await shortfall(this.platform.database.db, entry, userId, fundsWords('this order', body.side, pair))) ?? err;
      throw duplicateClientOrderId(err) ?? err;
    }
    publishEffects(this.platform, this.book, { orders: placed, balances });
    return { order, replayed: false };
  }

  /**
   * What a market order would do now: the same checks as `place`, then the figures at the current price, stored as
   * a firm quote for one order (quotes.ts).
   */
  async quote(userId: string, body: CreateQuoteBody): Promise<Quote> {
    const pair = findPair(body.symbol);
    if (!pair) throw invalid('symbol', `Unknown trading pair ${body.symbol}`);
    checkPlaces(body.amount, pair.amountPrecision, 'amount', pair);
    checkPlaces(body.quoteAmount, 2, 'quoteAmount', pair);
    const now = currentPrice(this.platform, pair);
    if (!now) throw new AppError('PRICE_STALE', 'Prices are stale right now; market orders are paused');
    const rate = this.feeRate;
    let amount: Dec;
    if (body.quoteAmount !== undefined) {
      if (new D(body.quoteAmount).lt(pair.minCost)) throw belowMinCost(pair, 'quoteAmount');
      if (new D(body.quoteAmount).gt(pair.maxCost)) throw tooLarge(pair, 'quoteAmount');
      amount = amountForBudget(pair, new D(body.quoteAmount), now, rate);
    } else amount = new D(body.amount!);
    if (amount.lt(pair.minAmount)) throw belowMinAmount(pair);
    if (amount.times(now).lt(pair.minCost)) throw belowMinCost(pair);
    if (amount.times(now).gt(pair.maxCost)) throw tooLarge(pair, 'amount');
    // Funds now, so the confirmation step never shows figures the balance cannot pay (the fill's CHECK still decides).
    const fill = fillEntry({ userId, orderId: 'quote', pair, side: body.side, amount, price: now, feeRate: rate, held: ZERO, heldAsset: pair.quote });
    const short = await shortfall(this.platform.database.db, fill.entry, userId, fundsWords('this order', body.side, pair));
    if (short) throw short;
    return this.quotes.issue(userId, pair, body, { amount, price: now, feeRate: rate });
  }

  /** Redeems the order's quote; a retry of an order that already used it (same Idempotency-Key) answers that order. */
  private async redeem(
    userId: string,
    pair: TradingPair,
    body: CreateOrderBody,
    live: Dec,
    key: string | null,
  ): Promise<FirmQuote | { order: Order; replayed: true }> {
    try {
      return await this.quotes.redeem(userId, pair, body, live);
    } catch (err) {
      const prior = await storedAnswer<Order>(this.platform.database.db, { userId, scope: 'orders', key, body }, err);
      if (prior) return { order: prior.body, replayed: true };
      throw err;
    }
  }

  /**
   * The order's rows as they are written, and its entry: a fill at `now`, a hold for a resting order (one hold for
   * an OCO pair, on its first leg), or none. A trigger the market already passed is refused unless confirmed.
   */
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
      type: body.type === 'oco' ? 'take_profit' : body.type,
      status: 'open',
      timeInForce: body.timeInForce ?? 'GTC',
      price: body.price ?? null,
      triggerPrice: body.type === 'oco' ? body.takeProfitPrice! : (body.triggerPrice ?? null),
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
      expiresAt: body.expiresAt !== undefined ? new Date(body.expiresAt) : null,
      triggeredAt: null,
      trailAmount: body.trailAmount ?? null,
      trailPercent: body.trailPercent ?? null,
      trailRef: null,
      linkedOrderId: null,
      replacesOrderId: null,
      createdAt: at,
      updatedAt: at,
    };
    const holdFor = (rows: OrderRow[], worst: Dec): Placement => {
      const held = body.side === 'buy' ? buyHold(amount, worst, rate) : amount;
      const [first, ...rest] = rows;
      return {
        rows: [{ ...first!, held: toSql(held) }, ...rest],
        entry: holdEntry({ userId, asset: heldAsset, amount: held, reference: `order:${first!.id}` }),
      };
    };

    if (body.type === 'oco') {
      const stop: OrderRow = { ...base, id: randomUUID(), clientOrderId: null, type: 'stop_loss', triggerPrice: body.stopLossPrice!, linkedOrderId: id };
      const take: OrderRow = { ...base, linkedOrderId: stop.id };
      for (const leg of [take, stop])
        if (now && fires(leg, now)) throw wouldFireNow(leg, pair, now, 'An OCO order needs its take-profit and its stop-loss on either side of the market.');
      return holdFor([take, stop], D.max(body.takeProfitPrice!, body.stopLossPrice!));
    }
    if (body.type === 'trailing_stop') {
      const trail = { amount: body.trailAmount ?? null, percent: body.trailPercent ?? null, ref: now!.toFixed(), places: pair.pricePrecision };
      const level = trailLevel(body.side, trail);
      if (level === null) throw invalid(body.trailAmount !== undefined ? 'trailAmount' : 'trailPercent', 'The trail must be smaller than the price');
      return holdFor([{ ...base, trailRef: trail.ref, triggerPrice: level }], new D(level));
    }

    const triggered = base.type === 'stop_loss' || base.type === 'take_profit' || base.type === 'stop_limit';
    let row = base;
    if (triggered && now && fires(base, now)) {
      if (!body.confirmImmediate) throw wouldFireNow(base, pair, now, 'Move the trigger to the other side of the market, or confirm that it fills now.');
      // Confirmed: a stop-limit's trigger has fired; it fills now if its limit is reachable, else rests as a limit.
      if (base.type === 'stop_limit') row = { ...base, triggeredAt: at };
    }
    const immediate = body.type === 'market' || (now !== null && fires(row, now));
    if (immediate) {
      const fill = fillEntry({ userId, orderId: id, pair, side: body.side, amount, price: now!, feeRate: rate, held: new D(0), heldAsset });
      return {
        rows: [
          { ...row, status: 'closed', expiresAt: row.expiresAt, filled: toSql(amount), cost: toSql(fill.cost), average: toSql(now!), feeCost: toSql(fill.fee) },
        ],
        entry: fill.entry,
      };
    }
    if (row.timeInForce === 'IOC' || row.timeInForce === 'FOK') return { rows: [{ ...row, status: 'expired' }], entry: null };
    return holdFor([row], new D(body.price ?? body.triggerPrice!));
  }

  /** Cancels an open order (an OCO leg: the pair) and releases exactly what it still holds. Another user's order is 404. */
  async cancel(userId: string, orderId: string): Promise<Order> {
    const effects = await retryTransient(() =>
      this.platform.database.db.transaction(async (tx) => {
        const group = await this.openGroup(tx, userId, orderId, 'canceled');
        return closeGroup(tx, group, 'canceled');
      }),
    );
    publishEffects(this.platform, this.book, effects);
    return toOrder(effects.orders[0]!);
  }

  /** The user's open order (and its OCO partner), locked; 404 for another user's, INVALID_STATE when not open. */
  private async openGroup(tx: Executor, userId: string, orderId: string, verb: string): Promise<{ row: OrderRow; linked: OrderRow | null }> {
    const group = await lockGroup(tx, orderId, userId);
    if (!group) {
      if (await findLegacyOrder(tx, userId, orderId))
        throw new AppError('INVALID_STATE', `Imported orders are read-only history; only open orders can be ${verb}`);
      throw new AppError('NOT_FOUND', 'Order not found');
    }
    if (group.row.status !== 'open')
      throw new AppError('INVALID_STATE', `This order is ${group.row.status === 'closed' ? 'filled' : group.row.status}; only open orders can be ${verb}`);
    return group;
  }

  /**
   * Amends an open order's amount, limit price or trigger price as cancel-and-replace, in one transaction: the order
   * is canceled, its replacement written, and the hold adjusted by the difference (more held, or some released).
   * Any refusal (funds, a replacement that would fill at once, bad input) rolls back: the order stays exactly as it
   * was. OCO legs are not amended (cancel the pair and place a new one). Another user's order is 404.
   */
  async amend(userId: string, orderId: string, body: AmendOrderBody): Promise<Order> {
    const effects = await retryTransient(() =>
      this.platform.database.db.transaction(async (tx) => {
        const { row, linked } = await this.openGroup(tx, userId, orderId, 'amended');
        if (linked) throw new AppError('INVALID_STATE', 'The orders of an OCO pair cannot be amended; cancel the pair and place a new one');
        const pair = findPair(row.symbol);
        if (!pair) throw new AppError('INVALID_STATE', `Unknown trading pair ${row.symbol}`);
        const hasLimit = row.type === 'limit' || row.type === 'stop_limit';
        const hasTrigger = row.type === 'stop_loss' || row.type === 'take_profit' || (row.type === 'stop_limit' && row.triggeredAt === null);
        if (body.price !== undefined && !hasLimit) throw invalid('price', `A ${TYPE_WORDS[row.type]} order has no limit price to change`);
        if (body.triggerPrice !== undefined && !hasTrigger)
          throw invalid(
            'triggerPrice',
            row.type === 'stop_limit'
              ? 'This stop-limit order has already triggered and rests as a limit order: its limit price and amount can change, its trigger cannot'
              : `This ${TYPE_WORDS[row.type]} order has no trigger price to change`,
          );
        checkPlaces(body.amount, pair.amountPrecision, 'amount', pair);
        checkPlaces(body.price, pair.pricePrecision, 'price', pair);
        checkPlaces(body.triggerPrice, pair.pricePrecision, 'triggerPrice', pair);
        const amount = new D(body.amount ?? row.amount);
        const at = new Date();
        const next: OrderRow = {
          ...row,
          id: randomUUID(),
          clientOrderId: null,
          amount: toSql(amount),
          price: body.price ?? row.price,
          triggerPrice: body.triggerPrice ?? row.triggerPrice,
          replacesOrderId: row.id,
          createdAt: at,
          updatedAt: at,
        };
        const worst = new D(next.price ?? next.triggerPrice!);
        if (amount.lt(pair.minAmount)) throw belowMinAmount(pair);
        if (amount.times(worst).lt(pair.minCost)) throw belowMinCost(pair);
        if (amount.times(worst).gt(pair.maxCost)) throw tooLarge(pair, body.price !== undefined ? 'price' : 'amount');
        const now = currentPrice(this.platform, pair);
        if (now && fires(next, now)) throw wouldFireNow(next, pair, now, 'An amended order never fills at once: cancel it and place a new order instead.');
        const held = row.side === 'buy' ? buyHold(amount, worst, new D(row.feeRate)) : amount;
        next.held = toSql(held);
        const canceled = await updateOrder(tx, row.id, { status: 'canceled', held: '0' });
        await insertRows(tx, [tableRows(orders, next)]);
        const diff = held.minus(row.held);
        if (diff.gt(0)) {
          const more = holdEntry({ userId, asset: row.heldAsset, amount: diff, reference: `order:${next.id}` });
          const short = await shortfall(tx, more, userId, fundsWords('the changed order', row.side, pair, 'more than it holds now'));
          if (short) throw short;
        }
        const ref = { userId, asset: row.heldAsset, reference: `order:${next.id}` };
        const balances: UserBalance[] = diff.gt(0)
          ? (await hold(tx, { ...ref, amount: diff })).balances
          : diff.lt(0)
            ? (await release(tx, { ...ref, amount: diff.neg() })).balances
            : [];
        return { orders: [next, canceled], balances };
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
