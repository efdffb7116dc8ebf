/**
 * Realised gains: lots and their matching to disposals. Pure (no I/O, decimal.js only, never a JS number for an
 * amount): fed one user's events in time order, it returns a row per (disposal, lot used) and keeps, per asset,
 * only the lots still open, so a stream of any length runs in memory bounded by the open lots.
 *
 * Every USD figure is whole cents: a lot's cost is rounded half-up to the cent when it is acquired, and each part
 * taken from a lot (or proceeds and fees spread over the lots a sale used) is rounded to the cent with the remainder
 * left on the lot (or given to the last part): so the rows of a report add up exactly to its totals, and cost is
 * neither created nor lost by splitting (the property test in gains.compute.test.ts checks this).
 */
import type { GainsMethod } from '@cryptovault/contract';
import { D, type Dec, ZERO } from '../ledger/index.ts';

export type { GainsMethod };

/** What brought coins in: a buy fill (cost = USD paid incl. fee), a deposit or a transfer received (cost = USD value then). */
export type AcquireSource = 'buy' | 'deposit' | 'transfer_in' | 'adjustment';
/** What took coins out without a sale: a withdrawal, a transfer sent, a fee charged in the coin, a correction. */
export type RemoveReason = 'withdrawal' | 'transfer_out' | 'fee' | 'adjustment';

export type GainsEvent =
  | { kind: 'acquire'; at: Date; asset: string; qty: Dec; costUsd: Dec; source: AcquireSource; ref: string }
  /** A sale: `proceedsUsd` is what the sale brought in net of its fee; `feeUsd` is that fee, shown for information. */
  | { kind: 'dispose'; at: Date; asset: string; qty: Dec; proceedsUsd: Dec; feeUsd: Dec; ref: string }
  | { kind: 'remove'; at: Date; asset: string; qty: Dec; reason: RemoveReason; ref: string };

export type HoldingPeriod = 'short' | 'long' | 'unknown';

/** One row of the report: the part of a sale that used one acquisition lot. */
export interface Disposal {
  asset: string;
  qty: Dec;
  /** null when the sale used more than the recorded lots held (no acquisition on record: cost 0). */
  acquiredAt: Date | null;
  disposedAt: Date;
  costUsd: Dec;
  proceedsUsd: Dec;
  feeUsd: Dec;
  gainUsd: Dec;
  term: HoldingPeriod;
  ref: string;
}

/** Per asset: what was realised, what is still open, and the totals behind them. */
export interface AssetBook {
  asset: string;
  /** Units in the open lots. */
  qty: Dec;
  /** Cost of the open lots. */
  basisUsd: Dec;
  realizedUsd: Dec;
  /** Every acquisition's cost. */
  acquiredUsd: Dec;
  /** Every sale's proceeds (net of fees). */
  proceedsUsd: Dec;
  /** Cost of the lots that left without a sale (withdrawals, transfers sent). */
  removedUsd: Dec;
}

const DAY_MS = 86_400_000;
/** Held more than 365 days: long term. */
export const LONG_TERM_DAYS = 365;

export const cents = (v: Dec): Dec => v.toDecimalPlaces(2, D.ROUND_HALF_UP);

export function holdingPeriod(acquiredAt: Date | null, disposedAt: Date): HoldingPeriod {
  if (!acquiredAt) return 'unknown';
  return disposedAt.getTime() - acquiredAt.getTime() > LONG_TERM_DAYS * DAY_MS ? 'long' : 'short';
}

interface Lot {
  at: Date;
  qty: Dec;
  cost: Dec;
  seq: number;
}
interface Part {
  at: Date | null;
  qty: Dec;
  cost: Dec;
}

/** `part` of a lot of `qty` costing `cost`: its share of the cost in cents (all of it when the lot is used up). */
const share = (cost: Dec, qty: Dec, part: Dec): Dec => (part.gte(qty) ? cost : cents(cost.times(part).div(qty)));

/** The open lots of one asset under one method. */
interface Lots {
  add(lot: Lot): void;
  /** Takes `qty` (or what there is) and returns the parts taken with their cost. */
  take(qty: Dec): Part[];
  qty(): Dec;
  basis(): Dec;
  size(): number;
}

/** A queue with a moving head (no O(n) shift); compacted when the dead prefix is large. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  push(v: T): void {
    this.items.push(v);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  get length(): number {
    return this.items.length - this.head;
  }
}

/** Takes from lots in a given order; FIFO (a queue) and HIFO (a heap on cost per unit) differ only in the order. */
abstract class OrderedLots implements Lots {
  private total = ZERO;
  private cost = ZERO;
  protected abstract first(): Lot | undefined;
  protected abstract dropFirst(): void;
  protected abstract insert(lot: Lot): void;
  abstract size(): number;
  add(lot: Lot): void {
    this.insert(lot);
    this.total = this.total.plus(lot.qty);
    this.cost = this.cost.plus(lot.cost);
  }
  take(qty: Dec): Part[] {
    const parts: Part[] = [];
    let left = qty;
    for (let lot = this.first(); lot && left.gt(0); lot = this.first()) {
      const q = D.min(lot.qty, left);
      const c = share(lot.cost, lot.qty, q);
      parts.push({ at: lot.at, qty: q, cost: c });
      lot.qty = lot.qty.minus(q);
      lot.cost = lot.cost.minus(c);
      this.total = this.total.minus(q);
      this.cost = this.cost.minus(c);
      left = left.minus(q);
      if (lot.qty.lte(0)) this.dropFirst();
    }
    if (left.gt(0)) parts.push({ at: null, qty: left, cost: ZERO });
    return parts;
  }
  qty(): Dec {
    return this.total;
  }
  basis(): Dec {
    return this.cost;
  }
}

class FifoLots extends OrderedLots {
  private readonly q = new Queue<Lot>();
  protected first() {
    return this.q.peek();
  }
  protected dropFirst() {
    this.q.shift();
  }
  protected insert(lot: Lot) {
    this.q.push(lot);
  }
  size() {
    return this.q.length;
  }
}

/** Highest cost per unit first; among equal costs, the oldest. Compared without dividing: a.cost × b.qty vs b.cost × a.qty. */
const before = (a: Lot, b: Lot): boolean => {
  const c = a.cost.times(b.qty).cmp(b.cost.times(a.qty));
  return c > 0 || (c === 0 && a.seq < b.seq);
};

class HifoLots extends OrderedLots {
  private readonly heap: Lot[] = [];
  protected first() {
    return this.heap[0];
  }
  protected insert(lot: Lot) {
    const h = this.heap;
    h.push(lot);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  protected dropFirst() {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  size() {
    return this.heap.length;
  }
}

/**
 * Average cost: one pool per asset (quantity and cost); a sale costs the pool's average times what it sells. The
 * acquisition dates are kept oldest first (quantity only), so a sale still knows which units it sold for the
 * holding period; its cost is spread over those date parts by quantity.
 */
class AverageLots implements Lots {
  private total = ZERO;
  private cost = ZERO;
  private readonly dates = new Queue<{ at: Date; qty: Dec }>();
  add(lot: Lot): void {
    this.total = this.total.plus(lot.qty);
    this.cost = this.cost.plus(lot.cost);
    this.dates.push({ at: lot.at, qty: lot.qty });
  }
  take(qty: Dec): Part[] {
    const covered = D.min(qty, this.total);
    const parts: Part[] = [];
    if (covered.gt(0)) {
      const cost = share(this.cost, this.total, covered);
      this.total = this.total.minus(covered);
      this.cost = this.cost.minus(cost);
      let left = covered;
      let costLeft = cost;
      for (let d = this.dates.peek(); d && left.gt(0); d = this.dates.peek()) {
        const q = D.min(d.qty, left);
        left = left.minus(q);
        const c = left.lte(0) ? costLeft : cents(cost.times(q).div(covered));
        costLeft = costLeft.minus(c);
        parts.push({ at: d.at, qty: q, cost: c });
        d.qty = d.qty.minus(q);
        if (d.qty.lte(0)) this.dates.shift();
      }
    }
    const rest = qty.minus(covered);
    if (rest.gt(0)) parts.push({ at: null, qty: rest, cost: ZERO });
    return parts;
  }
  qty(): Dec {
    return this.total;
  }
  basis(): Dec {
    return this.cost;
  }
  size(): number {
    return this.dates.length;
  }
}

const lotsFor = (method: GainsMethod): Lots => (method === 'fifo' ? new FifoLots() : method === 'hifo' ? new HifoLots() : new AverageLots());

/** Spreads `total` (cents) over parts by quantity; the last part takes the remainder, so the parts add up to `total`. */
function spread(total: Dec, parts: readonly Part[], qty: Dec): Dec[] {
  let left = total;
  return parts.map((p, i) => {
    const v = i === parts.length - 1 ? left : cents(total.times(p.qty).div(qty));
    left = left.minus(v);
    return v;
  });
}

/** One user's books under one method: apply events in time order; each sale returns its rows. */
export class GainsBook {
  private readonly books = new Map<string, { lots: Lots; realized: Dec; acquired: Dec; proceeds: Dec; removed: Dec }>();
  private seq = 0;

  constructor(readonly method: GainsMethod) {}

  private book(asset: string) {
    let b = this.books.get(asset);
    if (!b) {
      b = { lots: lotsFor(this.method), realized: ZERO, acquired: ZERO, proceeds: ZERO, removed: ZERO };
      this.books.set(asset, b);
    }
    return b;
  }

  apply(e: GainsEvent): Disposal[] {
    if (e.qty.lte(0)) return [];
    const b = this.book(e.asset);
    if (e.kind === 'acquire') {
      const cost = cents(D.max(e.costUsd, ZERO));
      b.lots.add({ at: e.at, qty: e.qty, cost, seq: this.seq++ });
      b.acquired = b.acquired.plus(cost);
      return [];
    }
    const parts = b.lots.take(e.qty);
    if (e.kind === 'remove') {
      for (const p of parts) b.removed = b.removed.plus(p.cost);
      return [];
    }
    const proceeds = cents(e.proceedsUsd);
    const fee = cents(e.feeUsd);
    const ps = spread(proceeds, parts, e.qty);
    const fs = spread(fee, parts, e.qty);
    b.proceeds = b.proceeds.plus(proceeds);
    return parts.map((p, i) => {
      const gain = ps[i]!.minus(p.cost);
      b.realized = b.realized.plus(gain);
      return {
        asset: e.asset,
        qty: p.qty,
        acquiredAt: p.at,
        disposedAt: e.at,
        costUsd: p.cost,
        proceedsUsd: ps[i]!,
        feeUsd: fs[i]!,
        gainUsd: gain,
        term: holdingPeriod(p.at, e.at),
        ref: e.ref,
      };
    });
  }

  /** Every asset seen, with its open lots' quantity and cost and what was realised. */
  assets(): AssetBook[] {
    return [...this.books].map(([asset, b]) => ({
      asset,
      qty: b.lots.qty(),
      basisUsd: b.lots.basis(),
      realizedUsd: b.realized,
      acquiredUsd: b.acquired,
      proceedsUsd: b.proceeds,
      removedUsd: b.removed,
    }));
  }

  /** Open lots held in memory (for the bounded-memory test and the docs). */
  openLots(): number {
    let n = 0;
    for (const b of this.books.values()) n += b.lots.size();
    return n;
  }
}

/** Totals of a set of report rows. */
export interface ReportTotals {
  rows: number;
  costUsd: Dec;
  proceedsUsd: Dec;
  feeUsd: Dec;
  gainUsd: Dec;
  shortTermGainUsd: Dec;
  longTermGainUsd: Dec;
}

export const emptyTotals = (): ReportTotals => ({
  rows: 0,
  costUsd: ZERO,
  proceedsUsd: ZERO,
  feeUsd: ZERO,
  gainUsd: ZERO,
  shortTermGainUsd: ZERO,
  longTermGainUsd: ZERO,
});

export function addToTotals(t: ReportTotals, r: Disposal): void {
  t.rows++;
  t.costUsd = t.costUsd.plus(r.costUsd);
  t.proceedsUsd = t.proceedsUsd.plus(r.proceedsUsd);
  t.feeUsd = t.feeUsd.plus(r.feeUsd);
  t.gainUsd = t.gainUsd.plus(r.gainUsd);
  if (r.term === 'long') t.longTermGainUsd = t.longTermGainUsd.plus(r.gainUsd);
  else t.shortTermGainUsd = t.shortTermGainUsd.plus(r.gainUsd);
}
