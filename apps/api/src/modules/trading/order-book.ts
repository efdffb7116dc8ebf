/**
 * The engine's in-memory book of resting orders, per symbol, in two heaps:
 *   `down` fires when the price falls to a level or below (limit buy, stop-loss sell, take-profit buy): max-heap;
 *   `up`   fires when the price rises to a level or above (limit sell, stop-loss buy, take-profit sell): min-heap.
 * A tick looks only at the tops, so its cost is O(k log n) for k triggered orders, whatever n is.
 * Levels are scaled to 18 decimals as BigInt: exact, and cheap to compare. Removal is lazy (cancelled ids are
 * dropped when they surface).
 * Trailing stops move their level with the price, so they are not in a heap: each tick walks the symbol's trailing
 * stops (usually few), moves their best price and fires those the price reached; `takeTrailMoves` hands the moved
 * levels to the engine, which persists them (a restart resumes from the stored best price).
 */
export interface BookOrder {
  id: string;
  userId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop_loss' | 'take_profit' | 'stop_limit' | 'trailing_stop';
  price: string | null;
  triggerPrice: string | null;
  /** stop_limit: its trigger fired; it now rests as a limit at `price`. */
  triggered?: boolean;
  /** trailing_stop: the trail (one of amount/percent), the best price since placement, the pair's price places. */
  trail?: Trail;
}

export interface Trail {
  amount: string | null;
  percent: string | null;
  ref: string;
  places: number;
}

export type Direction = 'down' | 'up';

export function scaled(decimal: string): bigint {
  const [int = '0', frac = ''] = decimal.split('.');
  return BigInt(int + frac.padEnd(18, '0').slice(0, 18));
}

const ONE = 10n ** 18n;

/** A non-negative scaled value back to a plain decimal string. */
export function unscaled(v: bigint): string {
  const s = v.toString().padStart(19, '0');
  const frac = s.slice(-18).replace(/0+$/, '');
  return frac ? `${s.slice(0, -18)}.${frac}` : s.slice(0, -18);
}

/**
 * A trailing stop's level for its best price `ref`: a sell `trail` below it, a buy `trail` above it (the trail
 * in USD, or in percent of `ref`), at the pair's price places, rounded away from the market (a sell's level down,
 * a buy's up) so it never fires sooner than asked. Null when a sell's trail is larger than the price.
 */
export function trailLevel(side: 'buy' | 'sell', t: Trail): string | null {
  const ref = scaled(t.ref);
  const step = 10n ** BigInt(18 - Math.min(18, t.places));
  const dist = t.amount !== null ? scaled(t.amount) : t.percent !== null ? (ref * scaled(t.percent)) / (100n * ONE) : 0n;
  if (side === 'sell') {
    const level = ref - dist;
    const rounded = level - (level % step);
    return rounded > 0n ? unscaled(rounded) : null;
  }
  const level = ref + dist;
  const rem = level % step;
  return unscaled(rem === 0n ? level : level - rem + step);
}

/** Which way the price must move for the order to fire, and the level. */
export function triggerOf(o: BookOrder): { direction: Direction; level: string } | null {
  const limit = o.type === 'limit' || (o.type === 'stop_limit' && o.triggered === true);
  if (limit && o.price) return { direction: o.side === 'buy' ? 'down' : 'up', level: o.price };
  if (o.type === 'trailing_stop' && o.trail) {
    const level = trailLevel(o.side, o.trail);
    return level === null ? null : { direction: o.side === 'sell' ? 'down' : 'up', level };
  }
  if ((o.type === 'stop_loss' || o.type === 'stop_limit') && o.triggerPrice) return { direction: o.side === 'sell' ? 'down' : 'up', level: o.triggerPrice };
  if (o.type === 'take_profit' && o.triggerPrice) return { direction: o.side === 'sell' ? 'up' : 'down', level: o.triggerPrice };
  return null;
}

interface Node {
  level: bigint;
  id: string;
}

/** Binary heap; `before(a, b)` true when a belongs above b. */
class Heap {
  private readonly a: Node[] = [];
  constructor(private readonly before: (x: bigint, y: bigint) => boolean) {}
  get size(): number {
    return this.a.length;
  }
  peek(): Node | undefined {
    return this.a[0];
  }
  push(n: Node): void {
    const a = this.a;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!.level, a[p]!.level)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Node | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!.level, a[m]!.level)) m = l;
        if (r < a.length && this.before(a[r]!.level, a[m]!.level)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class OrderBook {
  private readonly live = new Map<string, BookOrder>();
  private readonly heaps = new Map<string, { down: Heap; up: Heap }>();
  /** Trailing stops by symbol (ids; the order itself is in `live`, removed lazily here). */
  private readonly trailing = new Map<string, Set<string>>();
  /** Trailing stops whose best price moved since the last takeTrailMoves: id → new best price and level. */
  private readonly moved = new Map<string, { ref: string; level: string }>();

  get size(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  add(o: BookOrder): void {
    if (this.live.has(o.id)) return;
    if (o.type === 'trailing_stop') {
      if (!o.trail) return;
      // A copy: the book moves its best price.
      this.live.set(o.id, { ...o, trail: { ...o.trail } });
      const ids = this.trailing.get(o.symbol) ?? new Set<string>();
      this.trailing.set(o.symbol, ids);
      ids.add(o.id);
      return;
    }
    const t = triggerOf(o);
    if (!t) return;
    this.live.set(o.id, o);
    let h = this.heaps.get(o.symbol);
    if (!h) {
      h = { down: new Heap((x, y) => x > y), up: new Heap((x, y) => x < y) };
      this.heaps.set(o.symbol, h);
    }
    h[t.direction].push({ level: scaled(t.level), id: o.id });
  }

  remove(id: string): void {
    this.live.delete(id);
    this.moved.delete(id);
  }

  clear(): void {
    this.live.clear();
    this.heaps.clear();
    this.trailing.clear();
    this.moved.clear();
  }

  /** The trailing stops whose best price moved since the last call (for the engine to persist), and forgets them. */
  takeTrailMoves(): { id: string; ref: string; level: string }[] {
    const out = [...this.moved].map(([id, m]) => ({ id, ...m }));
    this.moved.clear();
    return out;
  }

  /** Removes and returns every live order of `symbol` that `price` triggers. */
  take(symbol: string, price: string): BookOrder[] {
    const out: BookOrder[] = [];
    const h = this.heaps.get(symbol);
    if (!h) {
      this.trail(symbol, price, out);
      return out;
    }
    const p = scaled(price);
    const drain = (heap: Heap, fires: (level: bigint) => boolean) => {
      for (let top = heap.peek(); top && fires(top.level); top = heap.peek()) {
        heap.pop();
        const o = this.live.get(top.id);
        if (o) {
          this.live.delete(top.id);
          out.push(o);
        }
      }
    };
    drain(h.down, (level) => p <= level);
    drain(h.up, (level) => p >= level);
    this.trail(symbol, price, out);
    return out;
  }

  /** Moves the best price of `symbol`'s trailing stops to `price`, and adds those `price` fires to `out`. */
  private trail(symbol: string, price: string, out: BookOrder[]): void {
    const ids = this.trailing.get(symbol);
    if (!ids) return;
    const p = scaled(price);
    for (const id of ids) {
      const o = this.live.get(id);
      if (!o?.trail) {
        ids.delete(id);
        continue;
      }
      const ref = scaled(o.trail.ref);
      if (o.side === 'sell' ? p > ref : p < ref) {
        o.trail.ref = unscaled(p);
        const level = trailLevel(o.side, o.trail);
        if (level !== null) this.moved.set(id, { ref: o.trail.ref, level });
      }
      const level = trailLevel(o.side, o.trail);
      if (level !== null && (o.side === 'sell' ? p <= scaled(level) : p >= scaled(level))) {
        ids.delete(id);
        this.live.delete(id);
        this.moved.delete(id);
        out.push(o);
      }
    }
  }
}
