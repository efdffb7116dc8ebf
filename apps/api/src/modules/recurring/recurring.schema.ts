import { bigint, numeric, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migrations (0030); the users table belongs to auth.

/** A user's recurring buy (migration 0030). `nextRunAt` is set while active, null otherwise. */
export const recurringBuys = pgTable('recurring_buys', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  assetId: text('asset_id').notNull(),
  quoteAmount: numeric('quote_amount', { precision: 38, scale: 18 }).notNull(),
  frequency: text('frequency', { enum: ['daily', 'weekly', 'monthly'] }).notNull(),
  timeOfDay: text('time_of_day').notNull(),
  weekday: smallint('weekday'),
  dayOfMonth: smallint('day_of_month'),
  status: text('status', { enum: ['active', 'paused', 'deleted'] })
    .notNull()
    .default('active'),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
export type RecurringBuyRow = typeof recurringBuys.$inferSelect;

/** One run of a recurring buy: its claim (unique per schedule and period), then its outcome. */
export const recurringBuyRuns = pgTable('recurring_buy_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  scheduleId: uuid('schedule_id').notNull(),
  userId: uuid('user_id').notNull(),
  /** The calendar period the run belongs to: `D2026-12-04`, `W2026-11-30` (the week's Monday) or `M2026-12`. */
  period: text('period').notNull(),
  /** The scheduled time of the run (UTC). */
  scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
  assetId: text('asset_id').notNull(),
  symbol: text('symbol').notNull(),
  quoteAmount: numeric('quote_amount', { precision: 38, scale: 18 }).notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  fencingToken: bigint('fencing_token', { mode: 'number' }).notNull(),
  status: text('status', { enum: ['pending', 'filled', 'skipped'] })
    .notNull()
    .default('pending'),
  orderId: uuid('order_id'),
  amount: numeric('amount', { precision: 38, scale: 18 }),
  price: numeric('price', { precision: 38, scale: 18 }),
  reasonCode: text('reason_code'),
  reason: text('reason'),
  claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});
export type RecurringBuyRunRow = typeof recurringBuyRuns.$inferSelect;

/** Fencing tokens of the platform's singleton jobs (`epoch` grows at each election). */
export const schedulerLeases = pgTable('scheduler_leases', {
  name: text('name').primaryKey(),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
  holder: text('holder').notNull(),
  electedAt: timestamp('elected_at', { withTimezone: true }).notNull().defaultNow(),
});
