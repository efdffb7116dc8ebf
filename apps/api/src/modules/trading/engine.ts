import type { Platform } from '../../platform/index.ts';
import type { PriceTick } from '../../platform/prices.ts';
import type { Unsubscribe } from '../../platform/pubsub.ts';
import { TRADING_PAIRS } from '../markets/index.ts';
import { expireOrder, fillTriggered } from './fills.ts';
import { type BookOrder, OrderBook } from './order-book.ts';
import { toOrder } from './order-view.ts';
import { dueToExpire, openOrders, storeTrailMoves } from './orders.repo.ts';
import { type BookMessage, bookOrder, ordersChannel } from './trading.events.ts';

const symbolByAsset = new Map(TRADING_PAIRS.map((p) => [p.assetId, p.symbol]));
/** Safety net for lost pub/sub messages: the book is rebuilt from the database this often. */
const RESYNC_MS = 60_000;
/** Good-till-date orders are expired this soon after their time (the sweep also runs at start: downtime is caught up). */
const EXPIRY_SWEEP_MS = 5_000;
/** Orders expired per sweep pass (the next pass takes the rest). */
const EXPIRY_BATCH = 200;

/**
 * Fires resting orders when the price crosses them. Runs on one machine at a time (see trading.routes.ts):
 * the book lives in memory, rebuilt from the database at start, kept current by pub/sub messages from every
 * machine; every fill is guarded in the database, so an overlap during a leadership hand-over is harmless.
 */
export class TradingEngine {
  readonly book = new OrderBook();
  private running = false;
  private readonly lastPrice = new Map<string, string>();
  private readonly pending = new Map<string, string>();
  private draining: Promise<void> | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private offTick: (() => void) | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private expiring: Promise<number> | null = null;

  constructor(private readonly platform: Platform) {}

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = await this.platform.pubsub.subscribe(ordersChannel(this.platform), (m) => this.onMessage(m));
    this.offTick = this.platform.events.on('price.tick', (tick) => this.onTick(tick));
    await this.resync();
    this.resyncTimer = setInterval(() => void this.resync().catch((err) => this.platform.log.error({ err }, 'engine resync failed')), RESYNC_MS);
    this.resyncTimer.unref();
    // Good-till-date expiry is the leader's job too (only the engine's machine runs this), from the database: an
    // order whose time passed while no engine ran expires at the first sweep of the next leader.
    void this.expireDue().catch((err) => this.platform.log.error({ err }, 'order expiry failed'));
    this.expiryTimer = setInterval(() => void this.expireDue().catch((err) => this.platform.log.error({ err }, 'order expiry failed')), EXPIRY_SWEEP_MS);
    this.expiryTimer.unref();
    this.platform.log.info({ open: this.book.size }, 'trading engine started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.offTick?.();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    await this.unsubscribe?.().catch(() => undefined);
    await this.draining;
    await this.expiring?.catch(() => undefined);
    this.book.clear();
    this.pending.clear();
  }

  /** Replaces the book with the open orders in the database. */
  async resync(): Promise<void> {
    const rows = await openOrders(this.platform.database.db);
    this.book.clear();
    for (const r of rows) this.book.add(bookOrder(r));
    for (const [symbol, price] of this.lastPrice) this.queue(symbol, price);
  }

  private onMessage(message: string): void {
    if (!this.running) return;
    let m: BookMessage;
    try {
      m = JSON.parse(message) as BookMessage;
    } catch {
      return;
    }
    this.apply(m);
  }

  /** Applies a book change (from this machine directly, or from another over pub/sub). Idempotent. */
  apply(m: BookMessage): void {
    if (!this.running) return;
    if (m.op === 'closed') {
      this.book.remove(m.id);
      return;
    }
    if (this.book.has(m.order.id)) return;
    this.book.add(m.order);
    // Placed between the last tick and now: evaluate it against the price we know.
    const last = this.lastPrice.get(m.order.symbol);
    if (last) this.queue(m.order.symbol, last);
  }

  onTick(tick: PriceTick): void {
    if (!this.running) return;
    // Never trigger on stale data: a late tick, or a feed the reader already considers stale.
    if (this.platform.prices.isStale() || Date.now() - tick.ts > this.platform.config.prices.maxAgeMs) return;
    for (const [assetId, price] of Object.entries(tick.prices)) {
      const symbol = symbolByAsset.get(assetId);
      if (!symbol) continue;
      this.lastPrice.set(symbol, price);
      this.queue(symbol, price);
    }
  }

  private queue(symbol: string, price: string): void {
    // A remembered price is only as good as the feed: orders placed (or resynced) while it is stale wait for the
    // next fresh tick instead of triggering on an old price.
    if (this.platform.prices.isStale()) return;
    this.pending.set(symbol, price);
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = null));
  }

  /** Resolves when every queued tick has been evaluated and its fills done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    await Promise.resolve();
    while (this.running && this.pending.size > 0) {
      const batch = [...this.pending];
      this.pending.clear();
      for (const [symbol, price] of batch) {
        for (const order of this.evaluate(symbol, price)) await this.fill(order, price);
      }
      await this.persistTrails();
    }
  }

  /**
   * Expires the open good-till-date orders whose time is `at` or earlier and releases their holds; returns how many.
   * One sweep at a time; each order in its own transaction, re-checked under its lock.
   */
  async expireDue(at: Date = new Date()): Promise<number> {
    while (this.expiring) await this.expiring.catch(() => 0);
    if (!this.running) return 0;
    const sweep = async () => {
      let done = 0;
      for (;;) {
        const ids = await dueToExpire(this.platform.database.db, at, EXPIRY_BATCH);
        for (const id of ids) if (await expireOrder(this.platform, this, id, at)) done++;
        if (ids.length < EXPIRY_BATCH || !this.running) return done;
      }
    };
    this.expiring = sweep().finally(() => (this.expiring = null));
    return this.expiring;
  }

  /** The orders `price` triggers, removed from the book. */
  evaluate(symbol: string, price: string): BookOrder[] {
    return this.book.take(symbol, price);
  }

  /** Stores the trailing stops' moved best prices, so a restart (or the next leader) resumes from them. */
  private async persistTrails(): Promise<void> {
    const moves = this.book.takeTrailMoves();
    try {
      // Their owners see the level move (the book is unchanged: no effects to publish beyond the update).
      for (const row of await storeTrailMoves(this.platform.database.db, moves)) this.platform.realtime.toUser(row.userId, 'order:update', toOrder(row));
    } catch (err) {
      // The book keeps the moved levels; a restart before the next successful write resumes from the older ones.
      this.platform.log.error({ err, count: moves.length }, 'trailing stop levels not stored');
    }
  }

  private async fill(order: BookOrder, price: string): Promise<void> {
    try {
      const outcome = await fillTriggered(this.platform, this, order.id, price);
      this.platform.log.debug({ orderId: order.id, outcome }, 'triggered order');
    } catch (err) {
      // A database hiccup: put it back, the next tick tries again.
      this.platform.log.error({ err, orderId: order.id }, 'fill failed; order stays open');
      if (this.running) this.book.add(order);
    }
  }
}
