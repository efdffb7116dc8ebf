/**
 * The engine's in-memory book of resting orders, per symbol, in two heaps:
 *   `down` fires when the price falls to a level or below (limit buy, stop-loss sell, take-profit buy): max-heap;
 *   `up`   fires when the price rises to a level or above (limit sell, stop-loss buy, take-profit sell): min-heap.
 * A tick looks only at the tops, so its cost is O(k log n) for k triggered orders, whatever n is.
 * Levels are scaled to 18 decimals as BigInt: exact, and cheap to compare. Removal is lazy (cancelled ids are
 * dropped when they surface).
 */
export interface BookOrder {
  id: string;
  userId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop_loss' | 'take_profit';
  price: string | null;
  triggerPrice: string | null;
}

export type Direction = 'down' | 'up';

export function scaled(decimal: string): bigint {
  const [int = '0', frac = ''] = decimal.split('.');
  return BigInt(int + frac.padEnd(18, '0').slice(0, 18));
}

/** Which way the price must move for the order to fire, and the level. */
export function triggerOf(o: BookOrder): { direction: Direction; level: string } | null {
  if (o.type === 'limit' && o.price) return { direction: o.side === 'buy' ? 'down' : 'up', level: o.price };
  if (o.type === 'stop_loss' && o.triggerPrice) return { direction: o.side === 'sell' ? 'down' : 'up', level: o.triggerPrice };
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

  get size(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  add(o: BookOrder): void {
    const t = triggerOf(o);
    if (!t || this.live.has(o.id)) return;
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
  }

  clear(): void {
    this.live.clear();
    this.heaps.clear();
  }

  /** Removes and returns every live order of `symbol` that `price` triggers. */
  take(symbol: string, price: string): BookOrder[] {
    const h = this.heaps.get(symbol);
    if (!h) return [];
    const p = scaled(price);
    const out: BookOrder[] = [];
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
    return out;
  }
}
