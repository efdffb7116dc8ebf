-- OHLC + volume candles built by the platform from its own price feed (modules/markets/candles.ts).
-- One row per asset, interval and bucket start (UTC, aligned on the epoch). 1m rows are written by the machine
-- that polls prices; 5m/15m/1h/4h/1d rows are rolled up from the next smaller interval in the same transaction.
-- Retention (CANDLE_RETENTION_MS in candles.ts): 1m 7 days, 5m 30 days, 15m 90 days, 1h 2 years, 4h and 1d kept.

create table candles (
  asset_id text not null,
  interval text not null check (interval in ('1m', '5m', '15m', '1h', '4h', '1d')),
  bucket timestamptz not null,
  open numeric(38, 18) not null,
  high numeric(38, 18) not null,
  low numeric(38, 18) not null,
  close numeric(38, 18) not null,
  -- Traded value in USD during the bucket (an estimate from the provider's 24h volume, see candles.ts).
  volume_usd numeric(38, 2) not null default 0,
  -- Price samples behind the candle (backfilled candles count the history points used).
  samples integer not null default 0,
  updated_at timestamptz not null default now(),
  primary key (asset_id, interval, bucket),
  check (low <= high)
);
