import { z } from 'zod';
import { isoDateTime, positiveDecimalString } from './common.ts';
import { orderSide } from './orders.ts';

/** How long a quote is honoured (POST /api/quotes → a market order with `quoteId`). */
export const QUOTE_TTL_MS = 15_000;
/** The slippage bound when neither the quote nor the order sets one: 0.5 %. */
export const DEFAULT_MAX_SLIPPAGE_BPS = 50;
/** The widest bound a user may set: 10 %. */
export const MAX_SLIPPAGE_BPS = 1000;

export const slippageBps = z
  .number()
  .int()
  .min(0)
  .max(MAX_SLIPPAGE_BPS)
  .describe('the most the price may move from the quote, in basis points (50 = 0.5 %), before the order is refused with PRICE_MOVED');

/**
 * POST /api/quotes: what a market order of `amount` (or, for a buy, `quoteAmount` USD to spend, fee included) would
 * do at the current price, with the server's rounding (contract tradeFigures). Send the answer's `id` as the market
 * order's `quoteId` before `expiresAt`: the order fills at the quote's price, amount, fee and total to the cent
 * while the live price is within `maxSlippageBps` of it, and is refused with PRICE_MOVED otherwise. A quote is
 * good for one order, by the user who asked for it.
 */
export const createQuoteBody = z
  .strictObject({
    symbol: z.string().min(3).max(20),
    side: orderSide,
    amount: positiveDecimalString.optional(),
    quoteAmount: positiveDecimalString.optional(),
    maxSlippageBps: slippageBps.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.amount === undefined) === (b.quoteAmount === undefined))
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Enter an amount, or a USD amount to spend (not both)' });
    if (b.quoteAmount !== undefined && b.side !== 'buy')
      ctx.addIssue({ code: 'custom', path: ['quoteAmount'], message: 'A USD amount to spend is for buys only' });
  });
export type CreateQuoteBody = z.infer<typeof createQuoteBody>;

export const quoteSchema = z.object({
  id: z.string().uuid(),
  symbol: z.string(),
  side: orderSide,
  amount: z.string().describe('base amount the order buys or sells'),
  quoteAmount: z.string().nullable().describe('the USD budget the quote was asked for (market buys by value)'),
  price: z.string().describe('execution price (the pair tick)'),
  cost: z.string().describe('amount × price, in cents'),
  fee: z.object({ currency: z.string(), cost: z.string().describe('in cents, rounded up'), rate: z.string() }),
  total: z.string().describe('buy: cost + fee (what you pay); sell: cost − fee (what you receive); in cents'),
  maxSlippageBps: z.number().int(),
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
});
export type Quote = z.infer<typeof quoteSchema>;
