import type { HistoryInterval, HistoryPoint } from '@cryptovault/contract';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { INTERVAL_MS, type MarketProvider, ProviderError } from './provider.ts';

/** Points per cached chunk: a request (at most MAX_HISTORY_POINTS points) touches at most two chunks. */
export const MAX_HISTORY_POINTS = 2000;
const CHUNK_POINTS = MAX_HISTORY_POINTS;

/** How long the chunk that contains "now" is served before it is fetched again (per interval). */
export const HISTORY_TTL_S: Readonly<Record<HistoryInterval, number>> = {
  m1: 30,
  m5: 60,
  m15: 120,
  m30: 120,
  h1: 300,
  h2: 300,
  h6: 900,
  h12: 900,
  d1: 1800,
};
/** A chunk that was complete when fetched never changes; it is kept this long (bounds the cache, not freshness). */
const CLOSED_CHUNK_KEEP_MS = 24 * 3_600_000;
/** An open chunk is kept beyond its freshness, to be served when the upstream budget is spent. */
const OPEN_CHUNK_KEEP_MS = 6 * 3_600_000;

interface Chunk {
  fetchedAt: number;
  /** Every point of the chunk was in the past when it was fetched: it will not change. */
  closed: boolean;
  items: HistoryPoint[];
}

/**
 * Price history cut into a fixed grid of chunks per asset and interval (CHUNK_POINTS points each, aligned on the
 * epoch), so that any start/end maps onto at most two cache keys, and an arbitrary range never costs an upstream
 * call of its own. Concurrent misses of one chunk share one upstream call; calls to a billed provider (CoinCap) are
 * bounded per minute for the whole platform, and a stale chunk is served rather than spend beyond that.
 */
export class HistoryChunks {
  private readonly inflight = new Map<string, Promise<Chunk>>();

  constructor(
    private readonly platform: Platform,
    private readonly provider: MarketProvider,
    private readonly namespace: string,
    private readonly callsPerMinute: number,
  ) {}

  async range(assetId: string, interval: HistoryInterval, start: number, end: number, now: number): Promise<HistoryPoint[]> {
    const span = CHUNK_POINTS * INTERVAL_MS[interval];
    const items: HistoryPoint[] = [];
    for (let i = Math.floor(start / span); i <= Math.floor(end / span); i++) {
      const chunk = await this.chunk(assetId, interval, i, now);
      for (const p of chunk.items) if (p.time >= start && p.time <= end) items.push(p);
    }
    return items;
  }

  private key(assetId: string, interval: HistoryInterval, index: number): string {
    return `markets:${this.namespace}:history:${this.provider.historyVersion()}:${assetId}:${interval}:${index}`;
  }

  private async chunk(assetId: string, interval: HistoryInterval, index: number, now: number): Promise<Chunk> {
    const key = this.key(assetId, interval, index);
    const cached = await this.platform.cache.get(key);
    const known = cached ? (JSON.parse(cached) as Chunk) : null;
    if (known && (known.closed || now - known.fetchedAt < HISTORY_TTL_S[interval] * 1000)) return known;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(key, assetId, interval, index, now, known).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(key: string, assetId: string, interval: HistoryInterval, index: number, now: number, stale: Chunk | null): Promise<Chunk> {
    const step = INTERVAL_MS[interval];
    const from = index * CHUNK_POINTS * step;
    const to = Math.min(from + (CHUNK_POINTS - 1) * step, now);
    if (this.provider.source === 'coincap') {
      const budget = await this.platform.rateLimiter.check({ name: 'coincap:history', limit: this.callsPerMinute, windowMs: 60_000 }, this.namespace);
      if (!budget.allowed) {
        if (stale) return stale;
        this.platform.log.warn({ assetId, interval, callsPerMinute: this.callsPerMinute }, 'price history budget spent: request refused');
        throw new AppError('UNAVAILABLE', 'Price history is busy right now; try again shortly', undefined, budget.retryAfterSeconds);
      }
    }
    let items: HistoryPoint[];
    try {
      items = await this.provider.history(assetId, interval, from, to);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      this.platform.log.warn({ kind: err.kind, err: err.message, assetId }, 'price history request failed');
      if (stale) return stale;
      throw new AppError('UNAVAILABLE', 'Price history is unavailable right now; try again shortly', undefined, 30);
    }
    const chunk: Chunk = { fetchedAt: now, closed: from + CHUNK_POINTS * step <= now, items };
    await this.platform.cache.set(key, JSON.stringify(chunk), chunk.closed ? CLOSED_CHUNK_KEEP_MS : OPEN_CHUNK_KEEP_MS);
    return chunk;
  }
}
