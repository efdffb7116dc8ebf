import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// owner_id references users(id) in the migration (0024_kyc.sql); the users table belongs to auth.

/** The document store's index: whose each stored file is, what it is, and when it must be deleted. */
export const documents = pgTable('documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  ownerId: uuid('owner_id'),
  purpose: text('purpose').notNull(),
  storageKey: text('storage_key').notNull().unique(),
  contentType: text('content_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  sha256: text('sha256').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  deleteAfter: timestamp('delete_after', { withTimezone: true }).notNull(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});
export type DocumentRow = typeof documents.$inferSelect;
