import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// user_id references users(id) in the migration; the users table belongs to auth, so it is not imported here.

export const watchlistItems = pgTable(
  'watchlist_items',
  {
    userId: uuid('user_id').notNull(),
    assetId: text('asset_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.assetId] })],
);
export type WatchlistItemRow = typeof watchlistItems.$inferSelect;
