import type { TradingPair } from '@cryptovault/contract';
import { ASSETS, QUOTE_ASSET } from '../../platform/assets.ts';

/** Smallest order value in USD for every pair: below a dollar, fees round to nothing. */
export const MIN_COST_USD = '1.00';
/**
 * Largest order value in USD for every pair. Far above any retail order, and far below what NUMERIC(38,18) holds
 * for the order's cost, hold and fee (amount × price), which would otherwise overflow in the database.
 */
export const MAX_COST_USD = '1000000000.00';

/** Every listed asset trades against USD (`BTC/USD`). The trading engine validates orders against this list. */
export const TRADING_PAIRS: readonly TradingPair[] = ASSETS.map((a) => ({
  symbol: `${a.symbol}/${QUOTE_ASSET}`,
  base: a.symbol,
  quote: QUOTE_ASSET,
  assetId: a.id,
  pricePrecision: a.pricePrecision,
  amountPrecision: a.amountPrecision,
  minAmount: a.minAmount,
  minCost: MIN_COST_USD,
  maxCost: MAX_COST_USD,
}));

const bySymbol = new Map(TRADING_PAIRS.map((p) => [p.symbol, p]));

/** `BTC/USD` (any case; `BTC-USD` and `BTCUSD` accepted too), or undefined when not listed. */
export function findPair(symbol: string): TradingPair | undefined {
  const s = symbol.trim().toUpperCase();
  const direct = bySymbol.get(s.replace('-', '/'));
  if (direct) return direct;
  if (!s.includes('/') && s.endsWith(QUOTE_ASSET)) return bySymbol.get(`${s.slice(0, -QUOTE_ASSET.length)}/${QUOTE_ASSET}`);
  return undefined;
}
