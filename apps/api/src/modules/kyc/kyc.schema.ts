import { jsonb, numeric, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// user_id, reviewer_id reference users(id) and document_id, selfie_id documents(id) in 0024_kyc.sql; those tables
// belong to auth and to the platform's document store, so they are not imported here.

/** A user's approved tier; no row means tier 0 (email verified). Its row is also the lock that orders a user's limit checks. */
export const kycProfiles = pgTable('kyc_profiles', {
  userId: uuid('user_id').primaryKey(),
  tier: smallint('tier').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const kycSubmissions = pgTable('kyc_submissions', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  tier: smallint('tier').notNull(),
  status: text('status').notNull().default('pending'),
  details: jsonb('details').notNull().default({}),
  documentType: text('document_type'),
  documentId: uuid('document_id'),
  selfieId: uuid('selfie_id'),
  reason: text('reason'),
  reviewerId: uuid('reviewer_id'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
export type KycSubmissionRow = typeof kycSubmissions.$inferSelect;

/** The USD value of each limited movement, written in the movement's own transaction. */
export const kycUsage = pgTable('kyc_usage', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  kind: text('kind').notNull(),
  amountUsd: numeric('amount_usd', { precision: 38, scale: 18 }).notNull(),
  reference: text('reference').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
