import { describeIssue, type SubscribeAck, subscribePayload } from '@cryptovault/contract';
import { ASSETS, findAsset } from '../platform/assets.ts';
import type { PriceReader, PriceTick } from '../platform/prices.ts';
import type { IoServer, IoSocket } from './types.ts';

const ROOM_PREFIX = 'prices:';
/** Sockets that never subscribed get every asset. */
const ALL_ROOM = 'prices:all';
const ONLY_PREFIX = 'prices:only:';
const ALL_IDS = ASSETS.map((a) => a.id);

/**
 * Sends `prices` batches: every socket sits in exactly one price room named after the set of assets it wants
 * (`prices:all`, or `prices:only:bitcoin,ethereum`), so a batch is encoded once per distinct set, not per socket.
 * At most one batch per second of tick time: a tick at least `minGapMs` (by its server timestamp) after the last
 * batch goes out at once; an earlier one (a dev price set mid-second) waits and joins the next batch. Timing by tick
 * timestamps, not by arrival or timers, keeps batches in step with the once-a-second feed however late a timer
 * fires on a busy machine. Prices are volatile and local: each machine receives the ticks itself over pub/sub, and
 * a reconnecting client wants the next price, not old ones replayed.
 */
export class PriceFanout {
  private pending: Record<string, string> = {};
  private pendingTs = 0;
  private lastBatchTs = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private fallback: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: IoServer,
    private readonly prices: PriceReader,
    private readonly minGapMs = 1000,
  ) {}

  onTick(tick: PriceTick): void {
    Object.assign(this.pending, tick.prices);
    this.pendingTs = Math.max(this.pendingTs, tick.ts);
    if (this.pendingTs - this.lastBatchTs >= this.minGapMs) {
      // Next macrotask: ticks applied in the same turn share one batch.
      this.timer ??= setTimeout(() => this.flush(), 0);
    } else if (!this.fallback) {
      // Only if no later tick comes to carry it (a feed slower than one tick a second).
      this.fallback = setTimeout(() => this.flush(), 2 * this.minGapMs + 100);
      this.fallback.unref();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.fallback) clearTimeout(this.fallback);
    this.timer = null;
    this.fallback = null;
  }

  private flush(): void {
    this.stop();
    const prices = this.pending;
    const ts = this.pendingTs;
    this.pending = {};
    this.lastBatchTs = ts;
    for (const room of this.io.of('/').adapter.rooms.keys()) {
      if (!room.startsWith(ROOM_PREFIX)) continue;
      let batch = prices;
      if (room !== ALL_ROOM) {
        batch = {};
        for (const id of room.slice(ONLY_PREFIX.length).split(',')) if (prices[id] !== undefined) batch[id] = prices[id];
        if (Object.keys(batch).length === 0) continue;
      }
      this.io.local.volatile.to(room).emit('prices', { ts, prices: batch });
    }
  }

  /** Puts a (new or recovered) socket in the room of its asset set. */
  attach(socket: IoSocket): void {
    this.place(socket, socket.data.assets ?? null);
  }

  private place(socket: IoSocket, assets: string[] | null): void {
    const target = assets === null ? ALL_ROOM : assets.length ? `${ONLY_PREFIX}${[...assets].sort().join(',')}` : null;
    for (const r of socket.rooms) if (r.startsWith(ROOM_PREFIX) && r !== target) void socket.leave(r);
    if (target) void socket.join(target);
    socket.data.assets = assets;
  }

  /** `subscribe` narrows the feed to (or adds) assets; `unsubscribe` removes them. Both always acknowledge. */
  handle(socket: IoSocket, kind: 'subscribe' | 'unsubscribe', payload: unknown, ack: unknown): void {
    const reply = (r: SubscribeAck) => {
      if (typeof ack === 'function') ack(r);
    };
    const parsed = subscribePayload.safeParse(payload);
    if (!parsed.success) {
      reply({
        ok: false,
        error: {
          code: 'VALIDATION_ERROR',
          message: 'Expected { assets: [id or symbol, ...] } with 1 to 50 entries',
          // In words, as the HTTP API's validation errors are (contract issues.ts).
          details: parsed.error.issues.map((i) => ({ path: i.path, message: describeIssue(i) })),
        },
      });
      return;
    }
    const ids: string[] = [];
    const unknown: string[] = [];
    for (const a of parsed.data.assets) {
      const info = findAsset(a);
      if (info) ids.push(info.id);
      else unknown.push(a);
    }
    if (unknown.length) {
      reply({ ok: false, error: { code: 'NOT_FOUND', message: 'Unknown assets', details: { unknown } } });
      return;
    }

    const current = socket.data.assets;
    let next: string[];
    if (kind === 'subscribe') next = [...new Set([...(current ?? []), ...ids])];
    else next = (current ?? ALL_IDS).filter((id) => !ids.includes(id));
    this.place(socket, next);
    const prices: Record<string, string> = {};
    if (kind === 'subscribe') {
      for (const id of ids) {
        const q = this.prices.get(id);
        if (q) prices[id] = q.priceUsd;
      }
    }
    reply({ ok: true, assets: [...next].sort(), prices });
  }
}
