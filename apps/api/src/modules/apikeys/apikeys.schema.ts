import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// user_id references users(id) in the migration; the users table belongs to auth, so it is not imported here.

/** A user's API keys (migration 0029). `secretEnc` is the signing secret, encrypted; it never leaves the module. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  label: text('label').notNull(),
  scopes: text('scopes').array().notNull(),
  ipAllowlist: text('ip_allowlist').array().notNull().default([]),
  secretEnc: text('secret_enc').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  lastUsedIp: text('last_used_ip'),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  revokedReason: text('revoked_reason'),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;
