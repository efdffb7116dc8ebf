import type { TransactionFilterType } from '@cryptovault/contract';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';

export interface HistoryFilter {
  userId: string;
  type?: TransactionFilterType | undefined;
  asset?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** One journal entry that moved the user's money, with the user's net change per asset and leg. */
export interface EntryRow {
  entry_id: string;
  type: string;
  reference: string | null;
  memo: Record<string, unknown> | null;
  created_at: string;
  /** Hold and release legs (money moving between the buckets of one account) are left out; zero sums too. */
  legs: { asset: string; leg: string; amount: string }[];
}

/** A row imported from the original system (legacy_history): older than every journal entry of the user. */
export interface ImportedRow {
  id: string;
  type: string;
  asset: string;
  amount: string | null;
  reference: string | null;
  description: string | null;
  created_at: string;
}

const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Which journal entries (and legs) a type filter selects. */
function typeCondition(type: TransactionFilterType): SQL {
  switch (type) {
    case 'transfer':
      return sql`e.type = 'transfer'`;
    case 'transfer_in':
    case 'transfer_out':
      return sql`e.type = 'transfer' and p.leg = ${type}`;
    case 'fee':
      // Every entry that charged the user a fee: a fee leg of theirs (a trade's fee in its quote asset, a
      // withdrawal's in the asset sent), or a fee entry of its own (none is written now; older books may hold some).
      // The fee posting itself is the one picked, so an asset filter means fees in that asset — except for a trade,
      // which any of its legs picks (asset=BTC lists BTC/USD trades), so there the fee leg only has to exist. Probing
      // it is one lookup on journal_postings_entry per trade posting scanned; no other entry type pays for it.
      return sql`(e.type = 'fee'
        or (p.leg = 'fee' and p.amount <> 0)
        or (e.type = 'trade' and exists (
              select 1 from journal_postings fp
              where fp.entry_id = p.entry_id and fp.user_id = p.user_id and fp.leg = 'fee' and fp.amount <> 0)))`;
    default:
      return sql`e.type = ${type}`;
  }
}

/**
 * The user's journal entries, newest first, at most `limit`, at or before entry `beforeOrAt` (the entry a page
 * stopped in the middle of comes again; the service skips the rows already served). The entries are chosen on the
 * postings' (user_id, entry_id) index, then each one's legs are summed: a page costs its own rows, never the
 * history before it.
 */
export function entriesPage(executor: Executor, f: HistoryFilter, limit: number, beforeOrAt?: string): Promise<EntryRow[]> {
  const conds: SQL[] = [sql`p.user_id = ${f.userId}`, sql`p.leg not in ('hold', 'release')`];
  if (f.type) conds.push(typeCondition(f.type));
  if (f.asset) conds.push(sql`p.asset = ${f.asset.toUpperCase()}`);
  if (f.from) conds.push(sql`e.created_at >= ${f.from}::timestamptz`);
  if (f.to) conds.push(sql`e.created_at < ${f.to}::timestamptz`);
  if (beforeOrAt) conds.push(sql`p.entry_id <= ${beforeOrAt}::bigint`);
  return rows<EntryRow>(
    executor,
    sql`with picked as (
          select distinct p.entry_id
          from journal_postings p join journal_entries e on e.id = p.entry_id
          where ${sql.join(conds, sql` and `)}
          order by p.entry_id desc
          limit ${limit})
        select e.id::text as entry_id, e.type, e.reference, e.memo, ${iso(sql`e.created_at`)} as created_at,
          coalesce((
            select json_agg(json_build_object('asset', l.asset, 'leg', l.leg, 'amount', l.amount::text) order by l.asset desc, l.leg)
            from (select p.asset, p.leg, sum(p.amount) as amount
                  from journal_postings p
                  where p.entry_id = e.id and p.user_id = ${f.userId} and p.leg not in ('hold', 'release')
                  group by p.asset, p.leg
                  having sum(p.amount) <> 0) l), '[]'::json) as legs
        from picked join journal_entries e on e.id = picked.entry_id
        order by e.id desc`,
  );
}

/** Imported rows (legacy_history), newest first, below `before` (a legacy_history id). */
export function importedPage(executor: Executor, f: HistoryFilter, limit: number, before?: string): Promise<ImportedRow[]> {
  const conds: SQL[] = [sql`h.user_id = ${f.userId}`];
  if (f.type === 'transfer') conds.push(sql`h.type in ('transfer_in', 'transfer_out')`);
  else if (f.type) conds.push(sql`h.type = ${f.type}`);
  if (f.asset) conds.push(sql`h.asset = ${f.asset.toUpperCase()}`);
  if (f.from) conds.push(sql`h.occurred_at >= ${f.from}::timestamptz`);
  if (f.to) conds.push(sql`h.occurred_at < ${f.to}::timestamptz`);
  if (before) conds.push(sql`h.id < ${before}::bigint`);
  return rows<ImportedRow>(
    executor,
    sql`select h.id::text as id, h.type, h.asset, h.amount::text as amount, h.reference, h.description, ${iso(sql`h.occurred_at`)} as created_at
        from legacy_history h
        where ${sql.join(conds, sql` and `)}
        order by h.id desc
        limit ${limit}`,
  );
}
