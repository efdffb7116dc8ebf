import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migration (0026); the users table belongs to auth.

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** An operator's linked Telegram chat (private chat: the chat id is the Telegram user's id). */
export const telegramLinks = pgTable('telegram_links', {
  userId: uuid('user_id').primaryKey(),
  chatId: bigint('chat_id', { mode: 'number' }).notNull().unique(),
  telegramUserId: bigint('telegram_user_id', { mode: 'number' }).notNull(),
  telegramUsername: text('telegram_username'),
  linkedAt: ts('linked_at').notNull().defaultNow(),
});
export type TelegramLinkRow = typeof telegramLinks.$inferSelect;

/** One-time link codes: SHA-256 of the code, never the code. */
export const telegramLinkCodes = pgTable('telegram_link_codes', {
  codeHash: text('code_hash').primaryKey(),
  userId: uuid('user_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/** Alerts to send, one row per (alert, chat); `sent_at` set once Telegram accepted it. */
export const telegramOutbox = pgTable('telegram_outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  chatId: bigint('chat_id', { mode: 'number' }).notNull(),
  kind: text('kind').notNull(),
  dedupeKey: text('dedupe_key').notNull(),
  body: text('body').notNull(),
  replyMarkup: jsonb('reply_markup').$type<Record<string, unknown> | null>(),
  createdAt: ts('created_at').notNull().defaultNow(),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  attempts: integer('attempts').notNull().default(0),
  sentAt: ts('sent_at'),
  lastError: text('last_error'),
});
export type TelegramOutboxRow = typeof telegramOutbox.$inferSelect;
