import { boolean, integer, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migrations; the users table belongs to auth, so its
// Drizzle object is not imported here (no module imports another module's tables).

export const priceAlerts = pgTable('price_alerts', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  assetId: text('asset_id').notNull(),
  condition: text('condition', { enum: ['above', 'below'] }).notNull(),
  targetPrice: numeric('target_price', { precision: 38, scale: 18 }).notNull(),
  channels: text('channels', { enum: ['in_app', 'email'] })
    .array()
    .notNull()
    .default(['in_app']),
  repeat: boolean('repeat').notNull().default(false),
  cooldownSeconds: integer('cooldown_seconds').notNull().default(3600),
  active: boolean('active').notNull().default(true),
  nextEligibleAt: timestamp('next_eligible_at', { withTimezone: true }),
  triggerCount: integer('trigger_count').notNull().default(0),
  lastTriggeredAt: timestamp('last_triggered_at', { withTimezone: true }),
  lastTriggeredPrice: numeric('last_triggered_price', { precision: 38, scale: 18 }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
export type PriceAlertRow = typeof priceAlerts.$inferSelect;
