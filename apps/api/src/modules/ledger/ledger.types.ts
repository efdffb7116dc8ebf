import type { Dec } from './money.ts';

/**
 * Journal entry types (journal_entries.type):
 *   deposit     funds arrive from outside: custody → user
 *   withdrawal  funds leave: user (locked, after a hold) → custody, fee → fee_revenue
 *   trade       an order fill: user ↔ market in both assets, fee → fee_revenue, unused hold released
 *   transfer    user → user inside the platform
 *   hold        available → locked on one user account (open order, pending withdrawal)
 *   release     locked → available (cancel, reject)
 *   fee         a fee charged on its own
 *   adjustment  an operator correction (always a new entry; the journal is append-only), and the opening balances
 *               of an account imported from the original system (user ← migration_equity, see openingBalances)
 */
export const ENTRY_TYPES = ['deposit', 'withdrawal', 'trade', 'transfer', 'hold', 'release', 'fee', 'adjustment'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/**
 * What a posting means to the account owner; the transaction history (GET /api/transactions) shows users' legs
 * with a non-zero net amount: deposit, withdrawal, trade, fee, transfer_in, transfer_out, adjustment.
 * hold/release move money between buckets of one account and net to zero.
 */
export const LEGS = ['deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out', 'hold', 'release', 'adjustment'] as const;
export type Leg = (typeof LEGS)[number];

export type Bucket = 'available' | 'locked';

/**
 * custody: counterpart of deposits and withdrawals; market: the trading counterparty; fee_revenue: fees;
 * migration_equity: counterpart of opening balances imported from the original system (migration 0014), so the
 * books balance from the first imported entry on; adjustments: counterpart of operators' maker-checker balance
 * adjustments (migration 0025), negative when more was credited than debited.
 */
export type PlatformAccountKind = 'custody' | 'market' | 'fee_revenue' | 'migration_equity' | 'adjustments';

/** A ledger account: a user's balance in one asset, or a platform account (sharded when hot). */
export type AccountRef = { kind: 'user'; userId: string; asset: string } | { kind: PlatformAccountKind; asset: string; shard?: number };

export interface PostingInput {
  account: AccountRef;
  bucket: Bucket;
  /** Signed: positive adds to the bucket. */
  amount: Dec;
  leg: Leg;
}

export interface JournalEntryInput {
  type: EntryType;
  /** The business object, e.g. `order:<uuid>`, `deposit:<uuid>`. */
  reference?: string | null;
  /** The user the entry is mainly about (for the admin view). */
  userId?: string | null;
  memo?: Record<string, unknown> | null;
  postings: PostingInput[];
}

/** A user's balance in one asset after a posting (for `balance:update`). */
export interface UserBalance {
  userId: string;
  asset: string;
  available: string;
  locked: string;
}

export interface PostResult {
  entryId: string;
  /** New balances of the users' accounts this entry touched. */
  balances: UserBalance[];
}

/**
 * Platform accounts hot on every order are split this many ways. A fill posts to its user's shard (shardFor); a batch
 * of market fills posts to its first user's shard, so concurrent batches spread across shards too.
 */
export const PLATFORM_SHARDS = 32;
