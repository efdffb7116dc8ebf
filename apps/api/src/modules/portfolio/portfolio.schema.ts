import { numeric, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

const money = (name: string) => numeric(name, { precision: 38, scale: 18 });

/**
 * Created by migrations/0018_positions.sql: per user and asset, the quantity bought and its cost basis (average
 * cost, fees included), kept by a database trigger on `orders` as fills post.
 */
export const positions = pgTable(
  'positions',
  {
    userId: uuid('user_id').notNull(),
    asset: text('asset').notNull(),
    qty: money('qty').notNull().default('0'),
    basis: money('basis').notNull().default('0'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.asset] })],
);
