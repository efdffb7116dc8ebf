import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Columns holding a user id reference users(id) in the migrations; the users table belongs to auth, so its
// Drizzle object is not imported here (no module imports another module's tables).

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Per-user security settings (migration 0016); a user without a row has the defaults. */
export const accountSecuritySettings = pgTable('account_security_settings', {
  userId: uuid('user_id').primaryKey(),
  antiPhishingCode: text('anti_phishing_code'),
  addressBookOnly: boolean('address_book_only').notNull().default(false),
  /** A requested switch-off of address-book-only takes effect at this time (the cooling-off period). */
  addressBookOnlyOffAt: ts('address_book_only_off_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const withdrawalAddresses = pgTable('withdrawal_addresses', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  asset: text('asset').notNull(),
  network: text('network').notNull(),
  address: text('address').notNull(),
  label: text('label').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  confirmedAt: ts('confirmed_at'),
  usableAt: ts('usable_at').notNull(),
});
export type WithdrawalAddressRow = typeof withdrawalAddresses.$inferSelect;

export type SecurityTokenPurpose = 'freeze' | 'unfreeze' | 'address_confirm';

export const securityTokens = pgTable('security_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  purpose: text('purpose').$type<SecurityTokenPurpose>().notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  refId: uuid('ref_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});
