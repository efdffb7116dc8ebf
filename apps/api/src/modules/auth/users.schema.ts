import { OPERATOR_ROLES } from '@cryptovault/contract';
import { bigint, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['user', 'admin'] })
    .notNull()
    .default('user'),
  /** Operator roles (migration 0025; [] for users). A trigger keeps `role` = 'admin' exactly when this is not empty. */
  operatorRoles: text('operator_roles', { enum: OPERATOR_ROLES }).array().notNull().default([]),
  emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
  totpSecretEnc: text('totp_secret_enc'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  backupCodeHashes: text('backup_code_hashes').array().notNull().default([]),
  suspendedAt: timestamp('suspended_at', { withTimezone: true }),
  /** "This wasn't me" (migration 0016): money cannot leave and step-up actions are refused until lifted. */
  frozenAt: timestamp('frozen_at', { withTimezone: true }),
  frozenReason: text('frozen_reason'),
  /** ISO 3166-1 alpha-2 country the edge reported at sign-up (migration 0027); null when unknown. */
  country: text('country'),
  failedLoginCount: integer('failed_login_count').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type UserRow = typeof users.$inferSelect;
