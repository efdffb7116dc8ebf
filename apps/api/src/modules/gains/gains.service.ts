import type { PnlResponse } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Cache } from '../../platform/cache.ts';
import type { Db, Executor } from '../../platform/db/client.ts';
import type { PriceReader } from '../../platform/prices.ts';
import { MONEY, VersionedCache } from '../../platform/versioned-cache.ts';
import { D, type Dec, usdPrice, ZERO } from '../ledger/index.ts';
import { priceAt } from '../markets/index.ts';
import {
  type AssetBook,
  addToTotals,
  cents,
  type Disposal,
  emptyTotals,
  GainsBook,
  type GainsEvent,
  type GainsMethod,
  type ReportTotals,
} from './gains.compute.ts';
import { type DepositValue, depositValues, type EntryLeg, entriesAfter } from './gains.repo.ts';

/** Postings read per query while streaming a user's events (about 1,500 fills). */
export const EVENT_BATCH = 5000;

/** What the stream met that a reader of the report should know. */
export interface StreamNotes {
  /** Coins received (transfer, coin deposit, correction) with no price on record at that time: their cost is 0. */
  unpriced: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The USD value of `qty` of `asset` received at `at`. A coin deposit is valued as it was credited: the provider's
 * figures (the deposit's USD amount for its coin amount), which the platform's own price cannot overrule. Anything
 * else received: the platform's candles at that time; else unknown (null).
 */
async function valueAt(executor: Executor, cache: Map<string, Dec | null>, asset: string, qty: Dec, at: number, deposit?: DepositValue): Promise<Dec | null> {
  if (deposit?.payAmount && new D(deposit.payAmount).gt(0)) return new D(deposit.amountUsd).times(qty).div(deposit.payAmount);
  const info = findAsset(asset);
  let price: Dec | null = null;
  if (info) {
    const key = `${asset}:${Math.floor(at / 60_000)}`;
    if (!cache.has(key)) {
      if (cache.size > 10_000) cache.clear();
      const p = await priceAt(executor, info.id, new Date(at));
      cache.set(key, p ? new D(p) : null);
    }
    price = cache.get(key) ?? null;
  }
  return price ? qty.times(price) : null;
}

/** The gains events of one journal entry (its legs for the user, summed per asset and leg). */
async function eventsOfEntry(
  executor: Executor,
  legs: EntryLeg[],
  deposits: Map<string, DepositValue>,
  prices: Map<string, Dec | null>,
  notes: StreamNotes,
): Promise<GainsEvent[]> {
  const { id, type, reference, t } = legs[0]!;
  const at = new Date(t);
  const ref = reference ?? `entry:${id}`;
  const net = new Map<string, Dec>();
  const fee = new Map<string, Dec>();
  for (const l of legs) {
    net.set(l.asset, (net.get(l.asset) ?? ZERO).plus(l.amount));
    if (l.leg === 'fee') fee.set(l.asset, (fee.get(l.asset) ?? ZERO).minus(l.amount));
  }
  const usd = net.get(QUOTE_ASSET) ?? ZERO;
  const out: GainsEvent[] = [];
  for (const [asset, amount] of net) {
    if (asset === QUOTE_ASSET || amount.isZero()) continue;
    const qty = amount.abs();
    if (type === 'trade') {
      // Buy: the USD paid, fee included, is the lot's cost. Sell: the USD received net of the fee is the proceeds.
      if (amount.gt(0)) out.push({ kind: 'acquire', at, asset, qty, costUsd: D.max(usd.neg(), ZERO), source: 'buy', ref });
      else out.push({ kind: 'dispose', at, asset, qty, proceedsUsd: usd, feeUsd: fee.get(QUOTE_ASSET) ?? ZERO, ref });
      continue;
    }
    if (amount.lt(0)) {
      const reason = type === 'withdrawal' ? 'withdrawal' : type === 'transfer' ? 'transfer_out' : type === 'fee' ? 'fee' : 'adjustment';
      out.push({ kind: 'remove', at, asset, qty, reason, ref });
      continue;
    }
    const depId = type === 'deposit' && reference?.startsWith('deposit:') ? reference.slice('deposit:'.length) : null;
    const value = await valueAt(executor, prices, asset, qty, t, depId ? deposits.get(depId) : undefined);
    if (!value) notes.unpriced++;
    const source = type === 'deposit' ? 'deposit' : type === 'transfer' ? 'transfer_in' : 'adjustment';
    out.push({ kind: 'acquire', at, asset, qty, costUsd: value ?? ZERO, source, ref });
  }
  return out;
}

/**
 * Every gains event of `userId` in time order, read from the journal in batches of about EVENT_BATCH postings: nothing but
 * the current batch is held. Stops after the first entry at or after `until`.
 */
export async function* gainsEvents(
  executor: Executor,
  userId: string,
  opts: { until?: Date; notes?: StreamNotes; batch?: number } = {},
): AsyncGenerator<GainsEvent> {
  const notes = opts.notes ?? { unpriced: 0 };
  const until = opts.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const prices = new Map<string, Dec | null>();
  let after = '0';
  for (;;) {
    const { hi, legs } = await entriesAfter(executor, userId, after, opts.batch ?? EVENT_BATCH);
    if (hi === null) return;
    const depositIds = new Set<string>();
    for (const l of legs) {
      if (l.type === 'deposit' && l.asset !== QUOTE_ASSET && l.reference?.startsWith('deposit:')) {
        const id = l.reference.slice('deposit:'.length);
        if (UUID.test(id)) depositIds.add(id);
      }
    }
    const deposits = await depositValues(executor, userId, [...depositIds]);
    for (let i = 0; i < legs.length; ) {
      let j = i;
      while (j < legs.length && legs[j]!.id === legs[i]!.id) j++;
      const entry = legs.slice(i, j);
      i = j;
      if (entry[0]!.t >= until) return;
      yield* await eventsOfEntry(executor, entry, deposits, prices, notes);
    }
    after = hi;
  }
}

const usd = (v: Dec) => cents(v).toFixed(2);

/** Per asset, realised and unrealised P&L at current prices. */
export function pnlOf(method: GainsMethod, books: readonly AssetBook[], prices: PriceReader): PnlResponse {
  let realized = ZERO;
  let unrealized = ZERO;
  const assets = books
    .filter((b) => !b.qty.isZero() || !b.realizedUsd.isZero())
    .map((b) => {
      const price = usdPrice(prices, b.asset);
      const value = price ? b.qty.times(price) : null;
      const un = value ? value.minus(b.basisUsd) : null;
      realized = realized.plus(b.realizedUsd);
      if (un) unrealized = unrealized.plus(un);
      return {
        asset: b.asset,
        amount: b.qty.toFixed(),
        costBasisUsd: usd(b.basisUsd),
        priceUsd: price ? price.toFixed() : null,
        valueUsd: value ? usd(value) : null,
        realizedUsd: usd(b.realizedUsd),
        unrealizedUsd: un ? usd(un) : null,
        totalUsd: un ? usd(b.realizedUsd.plus(un)) : null,
      };
    })
    .sort((a, b) => a.asset.localeCompare(b.asset));
  return { method, assets, realizedUsd: usd(realized), unrealizedUsd: usd(unrealized), totalUsd: usd(realized.plus(unrealized)) };
}

/** Runs a user's whole history through the method's book (bounded by the open lots, however long the history). */
export async function booksOf(executor: Executor, userId: string, method: GainsMethod): Promise<AssetBook[]> {
  const book = new GainsBook(method);
  for await (const e of gainsEvents(executor, userId)) book.apply(e);
  return book.assets();
}

/**
 * The books per user and method, kept per machine under the user's `money` version (every ledger posting bumps
 * it after its commit): a dashboard refresh without a new posting revalues the open lots at current prices only.
 */
export function createBooksReader(cache: Cache): (db: Db, userId: string, method: GainsMethod) => Promise<AssetBook[]> {
  const kept = new VersionedCache<AssetBook[]>(cache, MONEY, { maxEntries: 5_000, ttlMs: 5 * 60_000 });
  return (db, userId, method) => kept.read(userId, `gains:${userId}:${method}`, () => booksOf(db, userId, method));
}

/** The report's period: a calendar year in UTC. */
export const yearBounds = (year: number) => ({ from: new Date(Date.UTC(year, 0, 1)), to: new Date(Date.UTC(year + 1, 0, 1)) });

/**
 * The disposals of `year`, in time order, computed as they are read: the events before the year only build the
 * lots; the stream ends at the year's end. Memory: the open lots and one batch of entries.
 */
export async function* reportRows(executor: Executor, userId: string, method: GainsMethod, year: number, notes?: StreamNotes): AsyncGenerator<Disposal> {
  const { from, to } = yearBounds(year);
  const book = new GainsBook(method);
  for await (const e of gainsEvents(executor, userId, { until: to, notes })) {
    const rows = book.apply(e);
    if (rows.length > 0 && e.at >= from) yield* rows;
  }
}

/** A first pass over the year (nothing kept but the sums): the totals the PDF's title page shows before its rows. */
export async function reportTotals(
  executor: Executor,
  userId: string,
  method: GainsMethod,
  year: number,
): Promise<{ totals: ReportTotals; notes: StreamNotes }> {
  const totals = emptyTotals();
  const notes: StreamNotes = { unpriced: 0 };
  for await (const r of reportRows(executor, userId, method, year, notes)) addToTotals(totals, r);
  return { totals, notes };
}
