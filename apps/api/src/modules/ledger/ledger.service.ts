import type { Executor } from '../../platform/db/client.ts';
import { usersChanged } from '../../platform/db/commits.ts';
import { pgError } from '../../platform/db/pg-error.ts';
import { AppError } from '../../platform/errors.ts';
import type { TableRows } from '../../platform/db/table-rows.ts';
import { type AccountSpec, type ApplyInput, applyEntries, createAccounts } from './ledger.repo.ts';
import {
  type AccountRef,
  type Bucket,
  ENTRY_TYPES,
  type JournalEntryInput,
  type Leg,
  PLATFORM_SHARDS,
  type PostingInput,
  type PostResult,
  type UserBalance,
} from './ledger.types.ts';
import { D, type Dec, toSql, ZERO } from './money.ts';

const ASSET_RE = /^[A-Z0-9]{2,10}$/;

export function accountKey(ref: AccountRef): string {
  if (ref.kind === 'user') return `user:${ref.userId}:${ref.asset}`;
  return `${ref.kind}:${ref.asset}:${ref.shard ?? 0}`;
}

function accountSpec(ref: AccountRef): AccountSpec {
  return ref.kind === 'user'
    ? { key: accountKey(ref), kind: 'user', user_id: ref.userId, asset: ref.asset, shard: 0 }
    : { key: accountKey(ref), kind: ref.kind, user_id: null, asset: ref.asset, shard: ref.shard ?? 0 };
}

/** The shard of a hot platform account a user's postings use: stable per user, spread across users. */
export function shardFor(userId: string): number {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) | 0;
  return Math.abs(h) % PLATFORM_SHARDS;
}

/** Thrown before anything reaches the database: the code tried to post an unbalanced or malformed entry. */
export class UnbalancedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnbalancedEntryError';
  }
}

export function assertBalanced(entry: JournalEntryInput): void {
  if (!ENTRY_TYPES.includes(entry.type)) throw new UnbalancedEntryError(`unknown entry type ${entry.type}`);
  if (entry.postings.length < 2) throw new UnbalancedEntryError('an entry needs at least two postings');
  const sums = new Map<string, Dec>();
  for (const p of entry.postings) {
    if (!ASSET_RE.test(p.account.asset)) throw new UnbalancedEntryError(`invalid asset ${p.account.asset}`);
    if (!p.amount.isFinite() || p.amount.isZero()) throw new UnbalancedEntryError('posting amounts must be non-zero');
    if (p.amount.decimalPlaces() > 18) throw new UnbalancedEntryError('posting amounts have at most 18 decimal places');
    sums.set(p.account.asset, (sums.get(p.account.asset) ?? ZERO).plus(p.amount));
  }
  for (const [asset, sum] of sums) {
    if (!sum.isZero()) throw new UnbalancedEntryError(`entry ${entry.type} does not balance in ${asset}: off by ${sum.toFixed()}`);
  }
}

/**
 * Posts one balanced journal entry inside the caller's transaction (`executor` must be a transaction when the
 * caller does anything else that must commit with it). Locks the touched accounts in key order, applies the net
 * change per account, records the entry and its postings. A user's balance that would go negative aborts the
 * statement with INSUFFICIENT_FUNDS (the database CHECK decides, not an earlier read).
 */
export async function post(executor: Executor, entry: JournalEntryInput): Promise<PostResult> {
  return (await postEntries(executor, [entry], [], true))![0]!;
}

/**
 * Posts several balanced entries, and the rows that must commit with them (`writes`: an order, an idempotency
 * record), as one SQL statement: with `executor` outside a transaction all of it commits together in one round
 * trip, or none of it does (one balance that would go negative refuses them all with INSUFFICIENT_FUNDS). When an
 * account of the entries does not exist yet, `createMissing` creates it first (inside the caller's transaction);
 * without it the result is null, having written nothing. For the ledger's own writer (ledger.writer.ts).
 */
export async function postEntries(
  executor: Executor,
  entries: JournalEntryInput[],
  writes: readonly TableRows[],
  createMissing: boolean,
): Promise<PostResult[] | null> {
  const refs = new Map<string, AccountRef>();
  const net = new Map<string, { available: Dec; locked: Dec }>();
  const postings: ApplyInput['postings'] = [];
  entries.forEach((entry, i) => {
    assertBalanced(entry);
    for (const p of entry.postings) {
      const key = accountKey(p.account);
      refs.set(key, p.account);
      const n = net.get(key) ?? { available: ZERO, locked: ZERO };
      n[p.bucket] = n[p.bucket].plus(p.amount);
      net.set(key, n);
      const userId = p.account.kind === 'user' ? p.account.userId : null;
      postings.push({ entry: i, key, user_id: userId, asset: p.account.asset, bucket: p.bucket, leg: p.leg, amount: toSql(p.amount) });
    }
  });
  const keys = [...refs.keys()];
  const input: ApplyInput = {
    entries: entries.map((e) => ({ type: e.type, reference: e.reference ?? null, userId: e.userId ?? null, memo: e.memo ?? null })),
    deltas: [...net].map(([key, n]) => ({ key, da: toSql(n.available), dl: toSql(n.locked) })),
    postings,
  };
  try {
    let applied = await applyEntries(executor, input, writes);
    if (applied[0] && applied[0].found < keys.length) {
      if (!createMissing) return null;
      // First posting to some account (a user's first BTC, a new platform shard): create it, then apply.
      await createAccounts(
        executor,
        keys.map((k) => accountSpec(refs.get(k)!)),
      );
      applied = await applyEntries(executor, input, writes);
    }
    const first = applied[0];
    const ids = first?.entry_ids?.split(',') ?? [];
    const toWrite = writes.reduce((n, w) => n + w.rows.length, 0);
    if (!first || ids.length !== entries.length || applied.length !== keys.length || first.posted !== postings.length || first.written !== toWrite) {
      throw new Error(
        `ledger post incomplete: ${applied.length}/${keys.length} accounts, ${ids.length}/${entries.length} entries, ${first?.written ?? 0}/${toWrite} rows`,
      );
    }
    // Balance caches on every machine drop these users' entries once this commits (platform/db/commits.ts).
    await usersChanged(executor, new Set(applied.flatMap((r) => (r.user_id ? [r.user_id] : []))));
    const byKey = new Map(applied.map((r) => [r.key, r]));
    const results = entries.map((entry, i): PostResult => {
      const touched = new Set(entry.postings.map((p) => accountKey(p.account)));
      const balances: UserBalance[] = [];
      for (const key of touched) {
        const r = byKey.get(key);
        if (r?.user_id) balances.push({ userId: r.user_id, asset: r.asset!, available: r.available!, locked: r.locked! });
      }
      return { entryId: ids[i]!, balances };
    });
    return results;
  } catch (err) {
    const pg = pgError(err);
    if (pg.code === '23514' && pg.constraint === 'ledger_accounts_non_negative') {
      throw new AppError('INSUFFICIENT_FUNDS', 'Insufficient funds', undefined);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the other modules. Each is one balanced entry; all run inside the caller's transaction.

const leg = (account: AccountRef, bucket: Bucket, amount: Dec, l: Leg): PostingInput => ({ account, bucket, amount, leg: l });
const user = (userId: string, asset: string): AccountRef => ({ kind: 'user', userId, asset });
const positive = (amount: Dec | string): Dec => {
  const a = new D(amount);
  if (!a.isFinite() || a.lte(0)) throw new UnbalancedEntryError('amount must be greater than zero');
  return a;
};

interface Ref {
  reference: string;
  memo?: Record<string, unknown>;
}

/** Money arriving from outside (a finished deposit): custody → user's available. */
export function credit(executor: Executor, o: Ref & { userId: string; asset: string; amount: Dec | string }): Promise<PostResult> {
  const a = positive(o.amount);
  return post(executor, {
    type: 'deposit',
    reference: o.reference,
    userId: o.userId,
    memo: o.memo ?? null,
    postings: [leg(user(o.userId, o.asset), 'available', a, 'deposit'), leg({ kind: 'custody', asset: o.asset }, 'available', a.neg(), 'deposit')],
  });
}

/** available → locked (an open order, a pending withdrawal). INSUFFICIENT_FUNDS when not enough is available. */
export function hold(executor: Executor, o: Ref & { userId: string; asset: string; amount: Dec | string }): Promise<PostResult> {
  return post(executor, holdEntry(o));
}

/** The entry of `hold`, for LedgerWriter.submit. */
export function holdEntry(o: Ref & { userId: string; asset: string; amount: Dec | string }): JournalEntryInput {
  const a = positive(o.amount);
  const acc = user(o.userId, o.asset);
  return {
    type: 'hold',
    reference: o.reference,
    userId: o.userId,
    memo: o.memo ?? null,
    postings: [leg(acc, 'available', a.neg(), 'hold'), leg(acc, 'locked', a, 'hold')],
  };
}

/** locked → available: exactly what the caller held (cancel, reject). */
export function release(executor: Executor, o: Ref & { userId: string; asset: string; amount: Dec | string }): Promise<PostResult> {
  const a = positive(o.amount);
  const acc = user(o.userId, o.asset);
  return post(executor, {
    type: 'release',
    reference: o.reference,
    userId: o.userId,
    memo: o.memo ?? null,
    postings: [leg(acc, 'locked', a.neg(), 'release'), leg(acc, 'available', a, 'release')],
  });
}

/**
 * Money leaving the platform (a completed withdrawal): `amount` + `fee` come out of what was held, the amount to
 * custody and the fee to revenue.
 */
export function settleWithdrawal(
  executor: Executor,
  o: Ref & { userId: string; asset: string; amount: Dec | string; fee?: Dec | string },
): Promise<PostResult> {
  const a = positive(o.amount);
  const fee = new D(o.fee ?? 0);
  const acc = user(o.userId, o.asset);
  const postings = [leg(acc, 'locked', a.neg(), 'withdrawal'), leg({ kind: 'custody', asset: o.asset }, 'available', a, 'withdrawal')];
  if (fee.gt(0)) {
    postings.push(leg(acc, 'locked', fee.neg(), 'fee'), leg({ kind: 'fee_revenue', asset: o.asset, shard: shardFor(o.userId) }, 'available', fee, 'fee'));
  }
  return post(executor, { type: 'withdrawal', reference: o.reference, userId: o.userId, memo: o.memo ?? null, postings });
}

/** Instant transfer between two users' available balances. */
export function transfer(executor: Executor, o: Ref & { fromUserId: string; toUserId: string; asset: string; amount: Dec | string }): Promise<PostResult> {
  const a = positive(o.amount);
  if (o.fromUserId === o.toUserId) throw new AppError('VALIDATION_ERROR', 'Cannot transfer to yourself');
  return post(executor, {
    type: 'transfer',
    reference: o.reference,
    userId: o.fromUserId,
    memo: o.memo ?? null,
    postings: [leg(user(o.fromUserId, o.asset), 'available', a.neg(), 'transfer_out'), leg(user(o.toUserId, o.asset), 'available', a, 'transfer_in')],
  });
}

/**
 * Opening balances of an account imported from the original system: one entry, per asset the user's available
 * balance against the platform migration-equity account, so reconciliation stays at zero and the per-asset sum of
 * the equity accounts is minus what was imported.
 */
export function openingBalances(executor: Executor, o: Ref & { userId: string; amounts: { asset: string; amount: Dec | string }[] }): Promise<PostResult> {
  const postings: PostingInput[] = [];
  for (const x of o.amounts) {
    const a = positive(x.amount);
    postings.push(
      leg(user(o.userId, x.asset), 'available', a, 'adjustment'),
      leg({ kind: 'migration_equity', asset: x.asset }, 'available', a.neg(), 'adjustment'),
    );
  }
  return post(executor, { type: 'adjustment', reference: o.reference, userId: o.userId, memo: o.memo ?? null, postings });
}

/**
 * An approved maker-checker balance adjustment (issue 21): `amount` is signed; the user's available balance moves by
 * it against the platform `adjustments` account of the asset, so the books stay balanced and reconciliation at
 * zero. A debit larger than the available balance is refused with INSUFFICIENT_FUNDS (the database CHECK decides),
 * writing nothing.
 */
export function adjust(executor: Executor, o: Ref & { userId: string; asset: string; amount: Dec | string }): Promise<PostResult> {
  const a = new D(o.amount);
  if (!a.isFinite() || a.isZero()) throw new UnbalancedEntryError('an adjustment must not be zero');
  return post(executor, {
    type: 'adjustment',
    reference: o.reference,
    userId: o.userId,
    memo: o.memo ?? null,
    postings: [leg(user(o.userId, o.asset), 'available', a, 'adjustment'), leg({ kind: 'adjustments', asset: o.asset }, 'available', a.neg(), 'adjustment')],
  });
}
