import { integer, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** OHLC + volume candles (migrations/0019_candles.sql); written by modules/markets/candles.ts. */
export const candles = pgTable(
  'candles',
  {
    assetId: text('asset_id').notNull(),
    interval: text('interval', { enum: ['1m', '5m', '15m', '1h', '4h', '1d'] }).notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    open: numeric('open', { precision: 38, scale: 18 }).notNull(),
    high: numeric('high', { precision: 38, scale: 18 }).notNull(),
    low: numeric('low', { precision: 38, scale: 18 }).notNull(),
    close: numeric('close', { precision: 38, scale: 18 }).notNull(),
    volumeUsd: numeric('volume_usd', { precision: 38, scale: 2 }).notNull().default('0'),
    samples: integer('samples').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.assetId, t.interval, t.bucket] })],
);
