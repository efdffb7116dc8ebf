import { numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/users.schema.ts';

export const transfers = pgTable('transfers', {
  id: uuid('id').primaryKey().defaultRandom(),
  senderId: uuid('sender_id')
    .notNull()
    .references(() => users.id),
  recipientId: uuid('recipient_id')
    .notNull()
    .references(() => users.id),
  asset: text('asset').notNull(),
  amount: numeric('amount', { precision: 38, scale: 18 }).notNull(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type TransferRow = typeof transfers.$inferSelect;
