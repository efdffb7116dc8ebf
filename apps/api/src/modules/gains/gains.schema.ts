import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// user_id references users(id) in the migration (0031_gains.sql); the users table belongs to auth.

/** Each user's cost-basis method for realised gains and the tax report; no row means FIFO. */
export const gainsSettings = pgTable('gains_settings', {
  userId: uuid('user_id').primaryKey(),
  method: text('method', { enum: ['fifo', 'hifo', 'average'] }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
