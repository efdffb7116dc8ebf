import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';
import { Money } from './fees.ts';

export const orderSide = z.enum(['buy', 'sell']);
export const orderType = z.enum(['market', 'limit', 'stop_loss', 'take_profit', 'stop_limit', 'trailing_stop']);
export const orderStatus = z.enum(['open', 'closed', 'canceled', 'rejected', 'expired']);
export const timeInForce = z.enum(['GTC', 'IOC', 'FOK', 'GTD']);
/** What POST /api/orders takes: an order type, or `oco` (two linked orders placed together). */
export const placeOrderType = z.enum([...orderType.options, 'oco']);

/** A decimal string as a number to compare (null when it is not one: the field's own check reports that). */
const dec = (v: string | undefined) => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? new Money(v) : null);

/** The order types that wait for a price (a trigger, or a limit): they rest, so GTC and GTD apply to them. */
const RESTING = new Set(['limit', 'stop_loss', 'take_profit', 'stop_limit', 'trailing_stop', 'oco']);

/**
 * POST /api/orders. The server sets every execution price:
 * - market: `amount`, or `quoteAmount` (USD to spend, fee included) for a buy; any price field is rejected;
 * - limit: `amount` + `price`; buy fills when the market is at or below `price`, sell at or above, at the market
 *   price (a marketable limit fills at once at the better price);
 * - stop_loss: sell triggers when the price falls to `triggerPrice` or below, buy when it rises to it or above;
 * - take_profit: sell triggers when the price rises to `triggerPrice` or above, buy when it falls to it or below;
 *   a triggered order fills at the market price;
 * - stop_limit: `triggerPrice` + `price`: triggers as a stop-loss does, then rests as a limit order at `price`;
 * - trailing_stop: `trailAmount` (USD) or `trailPercent`: a sell triggers when the price falls that far below the
 *   highest price since placement, a buy when it rises that far above the lowest; then fills at the market price;
 * - oco: `takeProfitPrice` + `stopLossPrice`: a take-profit and a stop-loss of the same amount, placed together and
 *   linked: when one triggers the other is canceled. Funds are held once for the pair. The answer is the
 *   take-profit leg; `linkedOrderId` names the stop-loss leg.
 * A trigger the market has already passed (a stop-loss sell above the market, a take-profit sell below it...) would
 * fill at once: refused with TRIGGER_WOULD_FIRE_NOW unless `confirmImmediate` is true (never for oco).
 * timeInForce: GTC rests; GTD rests until `expiresAt`, then expires and releases its hold; IOC and FOK (limit
 * orders) fill at once or expire (fills are all-or-nothing, so the two agree).
 */
export const createOrderBody = z
  .strictObject({
    symbol: z.string().min(3).max(20),
    side: orderSide,
    type: placeOrderType,
    amount: positiveDecimalString.optional(),
    quoteAmount: positiveDecimalString.optional(),
    price: positiveDecimalString.optional(),
    triggerPrice: positiveDecimalString.optional(),
    trailAmount: positiveDecimalString.optional(),
    trailPercent: positiveDecimalString.optional(),
    takeProfitPrice: positiveDecimalString.optional(),
    stopLossPrice: positiveDecimalString.optional(),
    timeInForce: timeInForce.optional(),
    expiresAt: isoDateTime.optional(),
    confirmImmediate: z.boolean().optional().describe('the user confirmed that a trigger the market already passed fills at once'),
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_.:-]')
      .optional(),
    /** Market orders: a quote from POST /api/quotes (same symbol, side and amount): the fill honours it to the cent. */
    quoteId: z.string().uuid('must be the id of a quote from POST /api/quotes').optional(),
    /** With quoteId: overrides the quote's slippage bound (basis points; see contract quotes.ts). */
    maxSlippageBps: z.number().int().min(0).max(1000).optional(),
  })
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const none = (fields: (keyof typeof b)[], why: string) => {
      for (const f of fields) if (b[f] !== undefined) issue(f, why);
    };
    if (b.type !== 'trailing_stop') none(['trailAmount', 'trailPercent'], 'Only trailing stops take a trail');
    if (b.type !== 'oco') none(['takeProfitPrice', 'stopLossPrice'], 'Only OCO orders take a take-profit and a stop-loss price');
    if (b.type === 'market') {
      if (b.price !== undefined) issue('price', 'Market orders fill at the server price; do not send a price');
      if (b.triggerPrice !== undefined) issue('triggerPrice', 'Market orders take no trigger price');
      if ((b.amount === undefined) === (b.quoteAmount === undefined)) issue('amount', 'Enter either an amount or a USD amount to spend');
      if (b.quoteAmount !== undefined && b.side !== 'buy') issue('quoteAmount', 'A USD amount to spend is for market buys only');
    } else {
      if (b.amount === undefined) issue('amount', 'Enter an amount');
      if (b.quoteAmount !== undefined) issue('quoteAmount', 'A USD amount to spend is for market buys only');
      const needs = (field: 'price' | 'triggerPrice', label: string, wanted: boolean) => {
        if (wanted && b[field] === undefined) issue(field, `Enter a ${label}`);
        if (!wanted && b[field] !== undefined) issue(field, `This order type takes no ${label}`);
      };
      needs('price', 'limit price', b.type === 'limit' || b.type === 'stop_limit');
      needs('triggerPrice', 'trigger price', b.type === 'stop_loss' || b.type === 'take_profit' || b.type === 'stop_limit');
      if (b.type === 'trailing_stop' && (b.trailAmount === undefined) === (b.trailPercent === undefined))
        issue('trailAmount', 'Enter a trail, either in USD or in percent');
      if (dec(b.trailPercent)?.gte(100)) issue('trailPercent', 'The trail must be below 100%');
      if (b.type === 'oco') {
        if (b.takeProfitPrice === undefined) issue('takeProfitPrice', 'Enter a take-profit price');
        if (b.stopLossPrice === undefined) issue('stopLossPrice', 'Enter a stop-loss price');
        const tp = dec(b.takeProfitPrice);
        const sl = dec(b.stopLossPrice);
        if (tp && sl) {
          if (b.side === 'sell' && tp.lte(sl)) issue('takeProfitPrice', 'For a sell, the take-profit price must be above the stop-loss price');
          if (b.side === 'buy' && tp.gte(sl)) issue('takeProfitPrice', 'For a buy, the take-profit price must be below the stop-loss price');
        }
        if (b.confirmImmediate) issue('confirmImmediate', 'An OCO order must wait on both sides of the market');
      }
    }
    const tif = b.timeInForce ?? 'GTC';
    if ((tif === 'IOC' || tif === 'FOK') && b.type !== 'limit' && b.type !== 'market') issue('timeInForce', 'IOC and FOK apply to limit orders only');
    if (tif === 'GTD' && !RESTING.has(b.type)) issue('timeInForce', 'Good-till-date applies to orders that wait for a price');
    if (tif === 'GTD' && b.expiresAt === undefined) issue('expiresAt', 'Choose when the order expires');
    if (tif !== 'GTD' && b.expiresAt !== undefined) issue('expiresAt', 'An expiry time needs time in force GTD');
    if (b.expiresAt !== undefined && Number.isNaN(Date.parse(b.expiresAt))) issue('expiresAt', 'Enter a date and time');
  })
  .superRefine((b, ctx) => {
    // A firm quote (issue 20): for market orders, and a slippage bound only with the quote it is measured from.
    if (b.quoteId !== undefined && b.type !== 'market') ctx.addIssue({ code: 'custom', path: ['quoteId'], message: 'Only market orders take a quote' });
    if (b.maxSlippageBps !== undefined && b.quoteId === undefined)
      ctx.addIssue({ code: 'custom', path: ['maxSlippageBps'], message: 'A slippage bound needs the quote it is measured from (quoteId)' });
  });
export type CreateOrderBody = z.infer<typeof createOrderBody>;

export const orderSchema = z.object({
  id: z.string(),
  clientOrderId: z.string().nullable(),
  symbol: z.string(),
  side: orderSide,
  type: orderType,
  status: orderStatus,
  price: z.string().nullable().describe('limit price (limit, stop_limit); null for market and triggered orders'),
  triggerPrice: z.string().nullable().describe('trigger level; for a trailing stop, the current level (it follows the best price)'),
  /** Optional: answers stored before it existed (idempotent replays) do not carry it. */
  triggeredAt: isoDateTime
    .nullable()
    .optional()
    .describe('stop and take-profit orders: when the market reached the trigger (a stop-limit then rests as a limit order)'),
  amount: z.string(),
  quoteAmount: z.string().nullable(),
  filled: z.string(),
  remaining: z.string(),
  average: z.string().nullable().describe('average execution price'),
  cost: z.string().describe('filled × average, in the quote currency'),
  fee: z.object({ currency: z.string(), cost: z.string(), rate: z.string() }),
  timeInForce: timeInForce,
  expiresAt: isoDateTime.nullable().describe('GTD: when the order expires'),
  trailAmount: z.string().nullable().describe('trailing stop: the trail in the quote currency'),
  trailPercent: z.string().nullable().describe('trailing stop: the trail in percent'),
  linkedOrderId: z.string().nullable().describe('OCO: the other order of the pair, canceled when this one triggers'),
  replacesOrderId: z.string().nullable().describe('amend: the order this one replaced'),
  rejectReason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /**
   * Present on orders brought across from the original system (npm run import:legacy): read-only history, never
   * open, never held funds here. `originalStatus` / `originalType` are the original's own words (e.g. `pending`,
   * `stop_limit`) for the status and type shown.
   */
  imported: z.literal(true).optional(),
  originalStatus: z.string().optional().describe("imported orders: the original system's status (pending, filled, cancelled, ...)"),
  originalType: z.string().optional().describe("imported orders: the original system's order type"),
});
export type Order = z.infer<typeof orderSchema>;

export const listOrdersQuery = paginationQuery.extend({
  status: z.enum(['open', 'closed', 'all']).default('all'),
  symbol: z.string().max(20).optional(),
});
export const orderPage = pageOf(orderSchema);
export const orderIdParams = z.object({ id: z.string().uuid() });

/**
 * PATCH /api/orders/:id: amend an open order's price, trigger price or amount, as cancel-and-replace in one
 * transaction: the order is canceled and a new one (`replacesOrderId`) placed, the hold adjusted by the difference.
 * A replacement that would fill at once is refused (TRIGGER_WOULD_FIRE_NOW): cancel and place a new order instead.
 */
export const amendOrderBody = z
  .strictObject({
    amount: positiveDecimalString.optional(),
    price: positiveDecimalString.optional(),
    triggerPrice: positiveDecimalString.optional(),
  })
  .refine((b) => b.amount !== undefined || b.price !== undefined || b.triggerPrice !== undefined, {
    message: 'Enter a new amount, price or trigger price',
    path: ['amount'],
  });
export type AmendOrderBody = z.infer<typeof amendOrderBody>;
