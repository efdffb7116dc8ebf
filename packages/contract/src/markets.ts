import { z } from 'zod';
import { positiveDecimalString } from './common.ts';

/** A decimal string that may be absent at the provider (CoinCap sends null for unknown max supply, vwap, ...). */
const decimalOrNull = z.string().nullable();

export const assetSchema = z.object({
  id: z.string().describe('CoinCap slug, e.g. "bitcoin"'),
  symbol: z.string(),
  name: z.string(),
  rank: z.number().int(),
  priceUsd: z.string(),
  changePercent24Hr: decimalOrNull,
  marketCapUsd: decimalOrNull,
  volumeUsd24Hr: decimalOrNull,
  supply: decimalOrNull,
  maxSupply: decimalOrNull,
  vwap24Hr: decimalOrNull,
  /** When this price was produced (ISO); its age decides staleness. */
  updatedAt: z.string(),
});
export type Asset = z.infer<typeof assetSchema>;

export const priceSource = z.enum(['coincap', 'simulated']);
export type PriceSource = z.infer<typeof priceSource>;

export const assetListResponse = z.object({
  items: z.array(assetSchema),
  /** Time of the newest tick (ISO), null before the first. */
  updatedAt: z.string().nullable(),
  source: priceSource,
  /** True when the newest tick is older than PRICE_MAX_AGE_MS: prices shown are the last good ones. */
  stale: z.boolean(),
});
export type AssetListResponse = z.infer<typeof assetListResponse>;

export const assetIdParams = z.object({ id: z.string().min(1).max(64) });

export const historyInterval = z.enum(['m1', 'm5', 'm15', 'm30', 'h1', 'h2', 'h6', 'h12', 'd1']);
export type HistoryInterval = z.infer<typeof historyInterval>;

export const historyQuery = z.object({
  interval: historyInterval.default('h1'),
  /** ms since epoch; defaults depend on the interval (about 300 points ending now). */
  start: z.coerce.number().int().min(0).optional(),
  end: z.coerce.number().int().min(0).optional(),
});
export type HistoryQuery = z.infer<typeof historyQuery>;

export const historyPoint = z.object({ time: z.number().int().describe('ms since epoch'), priceUsd: z.string(), date: z.string() });
export type HistoryPoint = z.infer<typeof historyPoint>;
export const historyResponse = z.object({ items: z.array(historyPoint), interval: historyInterval, source: priceSource });
export type HistoryResponse = z.infer<typeof historyResponse>;

export const tradingPairSchema = z.object({
  symbol: z.string().describe('"BTC/USD"'),
  base: z.string(),
  quote: z.string(),
  assetId: z.string(),
  pricePrecision: z.number().int(),
  amountPrecision: z.number().int(),
  minAmount: z.string(),
  minCost: z.string().describe('smallest order value in the quote currency'),
  maxCost: z.string().describe('largest order value in the quote currency'),
});
export type TradingPair = z.infer<typeof tradingPairSchema>;
/** A pair as `GET /api/crypto/trading-pairs` lists it: with the fee rate the server charges, for previews. */
export const listedPairSchema = tradingPairSchema.extend({
  feeRate: z.string().describe('the fee rate charged on every fill, a fraction of the value (0.001 = 0.1 %)'),
});
export type ListedPair = z.infer<typeof listedPairSchema>;
export const tradingPairsResponse = z.object({ items: z.array(listedPairSchema) });

export const setMarketPriceBody = z.object({
  priceUsd: positiveDecimalString,
  /** How long the price stays exactly as set before the random walk continues from it (default 5 minutes). */
  holdMs: z.number().int().min(0).max(86_400_000).default(300_000),
});
export const setMarketPriceResponse = z.object({ assetId: z.string(), priceUsd: z.string(), ts: z.number().int(), holdUntil: z.number().int() });

/** Candle sizes the platform keeps (built from its own price feed, rolled up from 1m). */
export const CANDLE_INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export const candleInterval = z.enum(CANDLE_INTERVALS, { message: 'must be one of 1m, 5m, 15m, 1h, 4h or 1d' });
export type CandleInterval = z.infer<typeof candleInterval>;

// Messages are relative to the field: the API's error handler puts its label first ("From (in the query string) …").
const msSinceEpoch = () =>
  z.coerce
    .number({ message: 'must be a time in milliseconds since 1970 (for example 1767225600000)' })
    .int({ message: 'must be a whole number of milliseconds' })
    .min(0, { message: 'must not be before 1970' })
    .optional();

export const candlesQuery = z.object({
  interval: candleInterval.default('1h'),
  /** Bucket starts from this time on (ms since epoch). */
  from: msSinceEpoch(),
  /** Bucket starts up to this time (ms since epoch); defaults to now. */
  to: msSinceEpoch(),
  /** The newest `limit` candles of the range. */
  limit: z.coerce
    .number({ message: 'must be a number from 1 to 1000' })
    .int({ message: 'must be a whole number from 1 to 1000' })
    .min(1, { message: 'must be at least 1' })
    .max(1000, { message: 'must be at most 1000' })
    .default(300),
});
export type CandlesQuery = z.infer<typeof candlesQuery>;

export const candleSchema = z.object({
  time: z.number().int().describe('bucket start, ms since epoch (UTC)'),
  open: z.string(),
  high: z.string(),
  low: z.string(),
  close: z.string(),
  /** Traded value in USD during the bucket (an estimate: see docs/candles in the markets module). */
  volume: z.string(),
});
export type Candle = z.infer<typeof candleSchema>;
export const candlesResponse = z.object({
  assetId: z.string(),
  symbol: z.string(),
  interval: candleInterval,
  source: priceSource,
  items: z.array(candleSchema).describe('oldest first'),
});
export type CandlesResponse = z.infer<typeof candlesResponse>;
