import { bigserial, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// published_by and user_id reference users(id) in the migration (0027_legal.sql); users belong to auth.

/** Every published version of the terms, privacy notice and risk disclosure; append-only (a trigger refuses changes). */
export const legalDocuments = pgTable('legal_documents', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind', { enum: ['terms', 'privacy', 'risk'] }).notNull(),
  version: integer('version').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  publishedBy: uuid('published_by'),
});
export type LegalDocumentRow = typeof legalDocuments.$inferSelect;

/** Who accepted which version of the terms, when, from which address. */
export const termsAcceptances = pgTable(
  'terms_acceptances',
  {
    userId: uuid('user_id').notNull(),
    version: integer('version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] })],
);
