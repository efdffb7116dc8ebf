import type { TradingPair } from '@cryptovault/contract';
import { ASSETS, QUOTE_ASSET } from '../../platform/assets.ts';

/** Smallest order value in USD for every pair: below a dollar, fees round to nothing. */
export const MIN_COST_USD = '1.00';

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
