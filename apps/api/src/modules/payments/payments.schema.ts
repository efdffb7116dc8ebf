import { bigint, boolean, integer, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { DEPOSIT_STATUSES } from '@cryptovault/contract';

// Columns holding a user id reference users(id) in the migrations; the users table belongs to auth, so its
// Drizzle object is not imported here (no module imports another module's tables).

export const deposits = pgTable('deposits', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  provider: text('provider', { enum: ['nowpayments', 'simulated'] }).notNull(),
  providerPaymentId: text('provider_payment_id').notNull(),
  status: text('status', { enum: DEPOSIT_STATUSES }).notNull(),
  amountUsd: numeric('amount_usd', { precision: 38, scale: 18 }).notNull(),
  payCurrency: text('pay_currency').notNull(),
  payAmount: numeric('pay_amount', { precision: 38, scale: 18 }),
  payAddress: text('pay_address'),
  actuallyPaid: numeric('actually_paid', { precision: 38, scale: 18 }),
  /** The paying transaction's hash, as the provider reports it (`payin_hash`; migration 0032). */
  payinHash: text('payin_hash'),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  creditedUsd: numeric('credited_usd', { precision: 38, scale: 18 }),
  /** `USD` or the coin's asset symbol: the balance this deposit credits (migration 0022). */
  creditAsset: text('credit_asset').notNull().default('USD'),
  creditedAmount: numeric('credited_amount', { precision: 38, scale: 18 }),
  creditedAt: timestamp('credited_at', { withTimezone: true }),
  review: text('review', { enum: ['pending', 'resolved'] }),
  reviewReason: text('review_reason'),
  reviewNote: text('review_note'),
  lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
export type DepositRow = typeof deposits.$inferSelect;

export const depositStatusHistory = pgTable(
  'deposit_status_history',
  {
    depositId: uuid('deposit_id')
      .notNull()
      .references(() => deposits.id),
    status: text('status').notNull(),
    source: text('source', { enum: ['create', 'ipn', 'poll', 'expiry', 'operator'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.depositId, t.status] })],
);

export const paymentWebhookInbox = pgTable('payment_webhook_inbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  provider: text('provider').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  signatureValid: boolean('signature_valid'),
  /** Whole for a signed callback; the first UNSIGNED_KEEP_CHARS characters otherwise. */
  rawBody: text('raw_body').notNull(),
  bodyBytes: integer('body_bytes'),
  bodySha256: text('body_sha256'),
  paymentId: text('payment_id'),
  paymentStatus: text('payment_status'),
  outcome: text('outcome').notNull().default('pending'),
  error: text('error'),
  processedAt: timestamp('processed_at', { withTimezone: true }),
});
