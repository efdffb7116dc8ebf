/** The gains module's public surface: the pure lot computation and the P&L of a user's history. */
export { type Disposal, GainsBook, type GainsEvent, type GainsMethod } from './gains.compute.ts';
export { booksOf, gainsEvents, pnlOf } from './gains.service.ts';
