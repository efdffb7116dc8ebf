import { bigint, jsonb, numeric, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Tables created by migrations/0005_ledger.sql; only the ledger module writes them. */
export const ledgerAccounts = pgTable('ledger_accounts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  key: text('key').notNull().unique(),
  kind: text('kind', { enum: ['user', 'custody', 'market', 'fee_revenue', 'migration_equity', 'adjustments'] }).notNull(),
  userId: uuid('user_id'),
  asset: text('asset').notNull(),
  shard: smallint('shard').notNull().default(0),
  available: numeric('available', { precision: 38, scale: 18 }).notNull().default('0'),
  locked: numeric('locked', { precision: 38, scale: 18 }).notNull().default('0'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const journalEntries = pgTable('journal_entries', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  type: text('type').notNull(),
  reference: text('reference'),
  userId: uuid('user_id'),
  memo: jsonb('memo'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const journalPostings = pgTable('journal_postings', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  entryId: bigint('entry_id', { mode: 'number' }).notNull(),
  accountId: bigint('account_id', { mode: 'number' }).notNull(),
  userId: uuid('user_id'),
  asset: text('asset').notNull(),
  bucket: text('bucket', { enum: ['available', 'locked'] }).notNull(),
  leg: text('leg').notNull(),
  amount: numeric('amount', { precision: 38, scale: 18 }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
