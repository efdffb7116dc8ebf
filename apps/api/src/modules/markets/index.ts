/** The markets module's public surface. */
export { findPair, TRADING_PAIRS } from './pairs.ts';
