import { numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const money = (name: string) => numeric(name, { precision: 38, scale: 18 });

/** Created by migrations/0006_orders.sql, extended by 0020_advanced_orders.sql. */
export const orders = pgTable('orders', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  clientOrderId: text('client_order_id'),
  symbol: text('symbol').notNull(),
  base: text('base').notNull(),
  quote: text('quote').notNull(),
  side: text('side', { enum: ['buy', 'sell'] }).notNull(),
  type: text('type', { enum: ['market', 'limit', 'stop_loss', 'take_profit', 'stop_limit', 'trailing_stop'] }).notNull(),
  status: text('status', { enum: ['open', 'closed', 'canceled', 'rejected', 'expired'] }).notNull(),
  timeInForce: text('time_in_force', { enum: ['GTC', 'IOC', 'FOK', 'GTD'] })
    .notNull()
    .default('GTC'),
  price: money('price'),
  triggerPrice: money('trigger_price'),
  amount: money('amount').notNull(),
  quoteAmount: money('quote_amount'),
  filled: money('filled').notNull().default('0'),
  cost: money('cost').notNull().default('0'),
  average: money('average'),
  feeCost: money('fee_cost').notNull().default('0'),
  feeCurrency: text('fee_currency').notNull(),
  feeRate: money('fee_rate').notNull(),
  heldAsset: text('held_asset').notNull(),
  held: money('held').notNull().default('0'),
  rejectReason: text('reject_reason'),
  /** Added by migrations/0020_advanced_orders.sql. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  triggeredAt: timestamp('triggered_at', { withTimezone: true }),
  trailAmount: money('trail_amount'),
  trailPercent: money('trail_percent'),
  trailRef: money('trail_ref'),
  linkedOrderId: uuid('linked_order_id'),
  replacesOrderId: uuid('replaces_order_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert;
