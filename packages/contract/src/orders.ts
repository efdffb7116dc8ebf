import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

export const orderSide = z.enum(['buy', 'sell']);
export const orderType = z.enum(['market', 'limit', 'stop_loss', 'take_profit']);
export const orderStatus = z.enum(['open', 'closed', 'canceled', 'rejected', 'expired']);
export const timeInForce = z.enum(['GTC', 'IOC', 'FOK']);

/**
 * POST /api/orders. The server sets every execution price:
 * - market: `amount`, or `quoteAmount` (USD to spend, fee included) for a buy; any price field is rejected;
 * - limit: `amount` + `price`; buy fills when the market is at or below `price`, sell at or above, at the market
 *   price (a marketable limit fills at once at the better price);
 * - stop_loss: sell triggers when the price falls to `triggerPrice` or below, buy when it rises to it or above;
 * - take_profit: sell triggers when the price rises to `triggerPrice` or above, buy when it falls to it or below;
 *   a triggered order fills at the market price.
 * timeInForce: GTC rests; IOC and FOK fill at once or expire (fills are all-or-nothing, so the two agree).
 */
export const createOrderBody = z
  .strictObject({
    symbol: z.string().min(3).max(20),
    side: orderSide,
    type: orderType,
    amount: positiveDecimalString.optional(),
    quoteAmount: positiveDecimalString.optional(),
    price: positiveDecimalString.optional(),
    triggerPrice: positiveDecimalString.optional(),
    timeInForce: timeInForce.optional(),
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_.:-]')
      .optional(),
  })
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (b.type === 'market') {
      if (b.price !== undefined) issue('price', 'market orders fill at the server price; do not send a price');
      if (b.triggerPrice !== undefined) issue('triggerPrice', 'market orders take no trigger price');
      if ((b.amount === undefined) === (b.quoteAmount === undefined)) issue('amount', 'send exactly one of amount or quoteAmount');
      if (b.quoteAmount !== undefined && b.side !== 'buy') issue('quoteAmount', 'quoteAmount is for market buys only');
    } else {
      if (b.amount === undefined) issue('amount', 'required');
      if (b.quoteAmount !== undefined) issue('quoteAmount', 'quoteAmount is for market buys only');
      if (b.type === 'limit') {
        if (b.price === undefined) issue('price', 'required for limit orders');
        if (b.triggerPrice !== undefined) issue('triggerPrice', 'limit orders take no trigger price');
      } else {
        if (b.triggerPrice === undefined) issue('triggerPrice', 'required for stop_loss and take_profit orders');
        if (b.price !== undefined) issue('price', 'triggered orders fill at the market price; do not send a price');
        if (b.timeInForce !== undefined && b.timeInForce !== 'GTC') issue('timeInForce', 'triggered orders are GTC');
      }
    }
  });
export type CreateOrderBody = z.infer<typeof createOrderBody>;

export const orderSchema = z.object({
  id: z.string(),
  clientOrderId: z.string().nullable(),
  symbol: z.string(),
  side: orderSide,
  type: orderType,
  status: orderStatus,
  price: z.string().nullable().describe('limit price; null for market and triggered orders'),
  triggerPrice: z.string().nullable(),
  amount: z.string(),
  quoteAmount: z.string().nullable(),
  filled: z.string(),
  remaining: z.string(),
  average: z.string().nullable().describe('average execution price'),
  cost: z.string().describe('filled × average, in the quote currency'),
  fee: z.object({ currency: z.string(), cost: z.string(), rate: z.string() }),
  timeInForce: timeInForce,
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
