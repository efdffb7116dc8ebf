/** The markets module's public surface. */
export { priceAt } from './candles.ts';
export { findPair, TRADING_PAIRS } from './pairs.ts';
