import { numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { WITHDRAWAL_STATUSES } from '@cryptovault/contract';

// Columns holding a user id reference users(id) in the migrations; the users table belongs to auth, so its
// Drizzle object is not imported here (no module imports another module's tables).

export const withdrawals = pgTable('withdrawals', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull(),
  asset: text('asset').notNull(),
  amount: numeric('amount', { precision: 38, scale: 18 }).notNull(),
  fee: numeric('fee', { precision: 38, scale: 18 }).notNull(),
  address: text('address').notNull(),
  network: text('network').notNull(),
  amountUsd: numeric('amount_usd', { precision: 38, scale: 18 }).notNull(),
  requiredApprovals: smallint('required_approvals').notNull(),
  status: text('status', { enum: WITHDRAWAL_STATUSES }).notNull().default('pending_review'),
  txHash: text('tx_hash'),
  rejectReason: text('reject_reason'),
  decidedBy: uuid('decided_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});
export type WithdrawalRow = typeof withdrawals.$inferSelect;

export const withdrawalApprovals = pgTable(
  'withdrawal_approvals',
  {
    withdrawalId: uuid('withdrawal_id')
      .notNull()
      .references(() => withdrawals.id),
    adminId: uuid('admin_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.withdrawalId, t.adminId] })],
);
