import type { Candle, CandleInterval } from '@cryptovault/contract';
import { Decimal } from 'decimal.js';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/index.ts';

/**
 * Candles: OHLC + volume built by the platform from its own price feed.
 *
 * - Only the machine that polls prices (the feed's leader) records: every tick it sees updates the open 1m candle
 *   of each asset in memory. Every FLUSH_MS the changed 1m candles go to PostgreSQL in ONE multi-row upsert, and in
 *   the same transaction each larger interval is recomputed (5m from 1m, 15m from 5m, 1h from 15m, 4h from 1h,
 *   1d from 4h) for the buckets the flush touched only: about 7 statements every 10 s, whatever the tick rate.
 * - Upserts are idempotent: a 1m row keeps its first open, takes the highest high, lowest low, the newest close and
 *   the larger volume; a rollup is a full recomputation of its bucket. When the poller moves to another machine
 *   (or restarts) mid-minute, the new writer merges into what is stored rather than overwriting it.
 * - Volume is an estimate: neither CoinCap's /assets nor the simulated market reports trades, only a rolling 24h
 *   USD volume. Each tick adds `volumeUsd24Hr × (time since the asset's previous tick) / 24h`, weighted by the size
 *   of the price move (bigger moves, more volume; on average close to the reported rate). CoinCap's rolling 24h
 *   figure cannot be differenced into per-minute volume (what leaves the 24h window is unknown), so no deltas.
 *   The simulated market adds a deterministic per-second jitter so its bars look like a market's.
 * - Retention (CANDLE_RETENTION_MS): 1m 7 days, 5m 30 days, 15m 90 days, 1h 2 years; 4h and 1d are kept. Pruned
 *   by the writer at most once an hour.
 * - Backfill (MarketsService.backfillCandles): when the writer starts and an asset's 15m candles of the last
 *   CANDLE_BACKFILL_DAYS (7) have a hole (none at the start of the window, a gap left by downtime, none at the end),
 *   its 15-minute price history (CoinCap /assets/{id}/history?interval=m15, or the simulated path) becomes 15m
 *   candles (open = the previous point, close = this point) with no volume for CoinCap, rolled up to 1h/4h/1d; when
 *   its 1d candles of the last year have a hole, its daily history becomes 1d candles. Backfilled candles are only
 *   inserted where none exists (live candles win); the rollups then recompute the larger buckets from the candles
 *   below them, exactly as the writer's own next flush would.
 */

export const CANDLE_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
/** Each larger interval and the one it is rolled up from. */
const ROLLUPS: readonly [CandleInterval, CandleInterval][] = [
  ['5m', '1m'],
  ['15m', '5m'],
  ['1h', '15m'],
  ['4h', '1h'],
  ['1d', '4h'],
];
const DAY = 86_400_000;
export const CANDLE_RETENTION_MS: Readonly<Partial<Record<CandleInterval, number>>> = {
  '1m': 7 * DAY,
  '5m': 30 * DAY,
  '15m': 90 * DAY,
  '1h': 730 * DAY,
};
export const FLUSH_MS = 10_000;
const PRUNE_EVERY_MS = 3_600_000;
/** A gap longer than this between two ticks of an asset adds no volume (the feed was down). */
const MAX_VOLUME_GAP_MS = 300_000;

interface OpenCandle {
  assetId: string;
  bucket: number;
  open: string;
  high: Decimal;
  low: Decimal;
  close: string;
  volume: Decimal;
  samples: number;
}

/** The weight of one tick's share of the 24h volume: about 1 on average, more for bigger moves. */
export function moveWeight(prev: string, price: string): number {
  const r = Math.abs(new Decimal(price).div(prev).minus(1).toNumber());
  return 0.6 + Math.min(3, r * 2000);
}

export class CandleRecorder {
  private readonly current = new Map<string, OpenCandle>();
  private readonly dirty = new Map<string, OpenCandle>();
  private readonly last = new Map<string, { ts: number; price: string }>();
  private lastPrune = 0;
  private flushing: Promise<void> | null = null;

  /** Candles changed since the last flush. */
  get pending(): number {
    return this.dirty.size;
  }

  constructor(
    private readonly platform: Pick<Platform, 'database' | 'log'>,
    /** Extra volume factor per asset and tick (the simulated market's jitter); 1 when absent. */
    private readonly jitter: ((assetId: string, ts: number) => number) | null = null,
  ) {}

  /** One price of one asset at `ts`; `volumeUsd24Hr` from the same tick (null when the provider has none). */
  record(assetId: string, ts: number, priceUsd: string, volumeUsd24Hr: string | null): void {
    const bucket = ts - (ts % CANDLE_MS['1m']);
    const prev = this.last.get(assetId);
    if (prev && ts < prev.ts) return;
    let volume = new Decimal(0);
    if (prev && volumeUsd24Hr && ts - prev.ts <= MAX_VOLUME_GAP_MS) {
      const weight = moveWeight(prev.price, priceUsd) * (this.jitter?.(assetId, ts) ?? 1);
      volume = new Decimal(volumeUsd24Hr)
        .mul(ts - prev.ts)
        .div(DAY)
        .mul(weight.toFixed(6));
    }
    this.last.set(assetId, { ts, price: priceUsd });
    let c = this.current.get(assetId);
    if (!c || c.bucket !== bucket) {
      if (c && bucket < c.bucket) return;
      c = { assetId, bucket, open: priceUsd, high: new Decimal(priceUsd), low: new Decimal(priceUsd), close: priceUsd, volume, samples: 1 };
      this.current.set(assetId, c);
    } else {
      const p = new Decimal(priceUsd);
      if (p.gt(c.high)) c.high = p;
      if (p.lt(c.low)) c.low = p;
      c.close = priceUsd;
      c.volume = c.volume.add(volume);
      c.samples++;
    }
    this.dirty.set(`${assetId}|${bucket}`, c);
  }

  /** Writes the changed 1m candles and their rollups; one flush at a time. */
  flush(now = Date.now()): Promise<void> {
    const run = (this.flushing ?? Promise.resolve()).then(() => this.write(now));
    // The queue holds a promise that never rejects: a failed write is the caller's to handle (it is returned), never an
    // unhandled rejection when no other flush follows, and it does not make the next flush fail without writing.
    const settled: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.flushing = settled;
    void settled.then(() => {
      if (this.flushing === settled) this.flushing = null;
    });
    return run;
  }

  private async write(now: number): Promise<void> {
    if (this.dirty.size > 0) {
      const batch = [...this.dirty.values()].map((c) => ({
        asset_id: c.assetId,
        bucket_ms: c.bucket,
        open: c.open,
        high: c.high.toFixed(),
        low: c.low.toFixed(),
        close: c.close,
        volume: c.volume.toFixed(2),
        samples: c.samples,
      }));
      this.dirty.clear();
      try {
        await this.platform.database.db.transaction(async (tx) => {
          await upsertMinutes(tx, batch);
          await rollUp(
            tx,
            [...new Set(batch.map((b) => b.asset_id))],
            batch.map((b) => b.bucket_ms),
          );
        });
      } catch (err) {
        // Put the candles back (unless newer states of them arrived meanwhile): the next flush retries.
        for (const b of batch) {
          const c = this.current.get(b.asset_id);
          if (c && c.bucket === b.bucket_ms && !this.dirty.has(`${b.asset_id}|${b.bucket_ms}`)) this.dirty.set(`${b.asset_id}|${b.bucket_ms}`, c);
        }
        throw err;
      }
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await pruneCandles(this.platform.database.db, now);
    }
  }
}

type MinuteRow = { asset_id: string; bucket_ms: number; open: string; high: string; low: string; close: string; volume: string; samples: number };

async function upsertMinutes(ex: Executor, rows: MinuteRow[]): Promise<void> {
  await ex.execute(sql`
    insert into candles (asset_id, interval, bucket, open, high, low, close, volume_usd, samples, updated_at)
    select t.asset_id, '1m', to_timestamp(t.bucket_ms / 1000.0), t.open, t.high, t.low, t.close, t.volume, t.samples, now()
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as t(asset_id text, bucket_ms bigint, open numeric, high numeric, low numeric, close numeric, volume numeric, samples integer)
    on conflict (asset_id, interval, bucket) do update set
      high = greatest(candles.high, excluded.high),
      low = least(candles.low, excluded.low),
      close = excluded.close,
      volume_usd = greatest(candles.volume_usd, excluded.volume_usd),
      samples = greatest(candles.samples, excluded.samples),
      updated_at = now()`);
}

/**
 * Recomputes every larger interval's buckets that contain one of `touched` (bucket starts, ms) of `from`, each from
 * the interval below it: idempotent, and a rollup only reads the handful of rows of its own buckets.
 */
export async function rollUp(ex: Executor, assetIds: string[], touched: number[], from: CandleInterval = '1m'): Promise<void> {
  if (assetIds.length === 0 || touched.length === 0) return;
  const lo = Math.min(...touched);
  const hi = Math.max(...touched);
  const start = ROLLUPS.findIndex(([, src]) => src === from);
  for (const [target, source] of ROLLUPS.slice(start)) {
    const size = CANDLE_MS[target];
    const rangeFrom = lo - (lo % size);
    const rangeTo = hi - (hi % size) + size;
    const secs = size / 1000;
    await ex.execute(sql`
      insert into candles (asset_id, interval, bucket, open, high, low, close, volume_usd, samples, updated_at)
      select asset_id, ${target}, to_timestamp(floor(extract(epoch from bucket) / ${secs}) * ${secs}) as b,
        (array_agg(open order by bucket))[1], max(high), min(low), (array_agg(close order by bucket desc))[1],
        sum(volume_usd), sum(samples), now()
      from candles
      where interval = ${source} and asset_id = any(${toPgArray(assetIds)}::text[])
        and bucket >= to_timestamp(${rangeFrom / 1000}) and bucket < to_timestamp(${rangeTo / 1000})
      group by asset_id, b
      on conflict (asset_id, interval, bucket) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume_usd = excluded.volume_usd, samples = excluded.samples, updated_at = now()`);
  }
}

/** A text[] literal: the node-postgres and PGlite drivers do not agree on binding JS arrays. */
function toPgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Deletes candles older than their interval's retention (CANDLE_RETENTION_MS). */
export async function pruneCandles(ex: Executor, now: number): Promise<number> {
  const cut = (i: CandleInterval) => new Date(now - (CANDLE_RETENTION_MS[i] ?? 0)).toISOString();
  const res = (await ex.execute(sql`
    delete from candles where
      (interval = '1m' and bucket < ${cut('1m')}::timestamptz) or
      (interval = '5m' and bucket < ${cut('5m')}::timestamptz) or
      (interval = '15m' and bucket < ${cut('15m')}::timestamptz) or
      (interval = '1h' and bucket < ${cut('1h')}::timestamptz)`)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return res.rowCount ?? res.affectedRows ?? 0;
}

/** The newest `limit` candles of [from, to] (bucket starts), oldest first. */
export async function readCandles(ex: Executor, assetId: string, interval: CandleInterval, from: number, to: number, limit: number): Promise<Candle[]> {
  const res = (await ex.execute(sql`
    select (extract(epoch from bucket) * 1000)::bigint as time, trim_scale(open)::text as open, trim_scale(high)::text as high,
      trim_scale(low)::text as low, trim_scale(close)::text as close, volume_usd::text as volume
    from candles
    where asset_id = ${assetId} and interval = ${interval}
      and bucket >= to_timestamp(${from / 1000}) and bucket <= to_timestamp(${to / 1000})
    order by bucket desc limit ${limit}`)) as unknown as {
    rows: { time: string | number; open: string; high: string; low: string; close: string; volume: string }[];
  };
  return res.rows.reverse().map((r) => ({ time: Number(r.time), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }));
}

/**
 * The longest stretch of [from, to] (ms) in which no `interval` candle of `assetId` starts, counting from `from` to the
 * first candle and from the last one to `to`: `to - from` when there is none. The backfill's question: where the
 * history has a hole, not merely whether some candle (say, one recorded live since start-up) exists.
 */
export async function longestGap(ex: Executor, assetId: string, interval: CandleInterval, from: number, to: number): Promise<number> {
  const res = (await ex.execute(sql`
    select coalesce(max(next - t), 0)::float8 as gap from (
      select t, coalesce(lead(t) over (order by t), ${to}::float8) as next from (
        select ${from}::float8 as t
        union all
        select extract(epoch from bucket)::float8 * 1000 from candles
        where asset_id = ${assetId} and interval = ${interval}
          and bucket >= to_timestamp(${from / 1000}) and bucket <= to_timestamp(${to / 1000})
      ) starts
    ) gaps`)) as unknown as { rows: { gap: number | string }[] };
  return Number(res.rows[0]?.gap ?? to - from);
}

/**
 * Candles of `interval` built from price points (history): each bucket opens at the last point before it (or its
 * first), closes at its last point, high/low over both. Written only where no candle exists yet (live candles win).
 */
export async function backfillFromPoints(
  ex: Executor,
  assetId: string,
  interval: CandleInterval,
  points: { time: number; priceUsd: string; volumeUsd?: string }[],
): Promise<number> {
  const size = CANDLE_MS[interval];
  const rows: MinuteRow[] = [];
  let prev: string | null = null;
  let cur: MinuteRow | null = null;
  let hi = new Decimal(0);
  let lo = new Decimal(0);
  let vol = new Decimal(0);
  const close = () => {
    if (cur) rows.push({ ...cur, high: hi.toFixed(), low: lo.toFixed(), volume: vol.toFixed(2) });
  };
  for (const p of [...points].sort((a, b) => a.time - b.time)) {
    const bucket = p.time - (p.time % size);
    if (!cur || cur.bucket_ms !== bucket) {
      close();
      const open = prev ?? p.priceUsd;
      cur = { asset_id: assetId, bucket_ms: bucket, open, high: '', low: '', close: p.priceUsd, volume: '0', samples: 0 };
      hi = Decimal.max(open, p.priceUsd);
      lo = Decimal.min(open, p.priceUsd);
      vol = new Decimal(0);
    }
    cur.close = p.priceUsd;
    cur.samples++;
    hi = Decimal.max(hi, p.priceUsd);
    lo = Decimal.min(lo, p.priceUsd);
    if (p.volumeUsd) vol = vol.add(p.volumeUsd);
    prev = p.priceUsd;
  }
  close();
  if (rows.length === 0) return 0;
  const res = (await ex.execute(sql`
    insert into candles (asset_id, interval, bucket, open, high, low, close, volume_usd, samples, updated_at)
    select t.asset_id, ${interval}, to_timestamp(t.bucket_ms / 1000.0), t.open, t.high, t.low, t.close, t.volume, t.samples, now()
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as t(asset_id text, bucket_ms bigint, open numeric, high numeric, low numeric, close numeric, volume numeric, samples integer)
    on conflict (asset_id, interval, bucket) do nothing`)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return res.rowCount ?? res.affectedRows ?? rows.length;
}

/**
 * The USD price of `assetId` at `at` from the platform's own candles (for valuing coins received, e.g. a transfer or
 * a coin deposit, in the gains module): the close of the finest candle whose bucket contains `at`; else the close
 * of the latest candle that started in the day before it; else the open of the first candle in the day after it;
 * else null (no candle within a day: the platform was not recording).
 */
export async function priceAt(ex: Executor, assetId: string, at: Date): Promise<string | null> {
  const t = at.getTime() / 1000;
  const before = (await ex.execute(sql`
    select trim_scale(close)::text as price from candles
    where asset_id = ${assetId} and bucket <= to_timestamp(${t}) and bucket > to_timestamp(${t}) - interval '1 day'
    order by
      bucket + case interval when '1m' then interval '1 minute' when '5m' then interval '5 minutes' when '15m' then interval '15 minutes'
        when '1h' then interval '1 hour' when '4h' then interval '4 hours' else interval '1 day' end > to_timestamp(${t}) desc,
      case interval when '1m' then 1 when '5m' then 2 when '15m' then 3 when '1h' then 4 when '4h' then 5 else 6 end,
      bucket desc
    limit 1`)) as unknown as { rows: { price: string }[] };
  if (before.rows[0]) return before.rows[0].price;
  const after = (await ex.execute(sql`
    select trim_scale(open)::text as price from candles
    where asset_id = ${assetId} and bucket > to_timestamp(${t}) and bucket <= to_timestamp(${t}) + interval '1 day'
    order by bucket, case interval when '1m' then 1 when '5m' then 2 when '15m' then 3 when '1h' then 4 when '4h' then 5 else 6 end
    limit 1`)) as unknown as { rows: { price: string }[] };
  return after.rows[0]?.price ?? null;
}
