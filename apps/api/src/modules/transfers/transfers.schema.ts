import { numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migrations; the users table belongs to auth, so its
// Drizzle object is not imported here (no module imports another module's tables).

export const transfers = pgTable('transfers', {
  id: uuid('id').primaryKey().defaultRandom(),
  senderId: uuid('sender_id').notNull(),
  recipientId: uuid('recipient_id').notNull(),
  asset: text('asset').notNull(),
  amount: numeric('amount', { precision: 38, scale: 18 }).notNull(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type TransferRow = typeof transfers.$inferSelect;
