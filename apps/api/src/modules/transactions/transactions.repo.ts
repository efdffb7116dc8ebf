import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../ledger/ledger.repo.ts';

export interface HistoryFilter {
  userId: string;
  type?: string | undefined;
  asset?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface HistoryCursor {
  entryId: string;
  asset: string;
  leg: string;
}

export interface HistoryRow {
  entry_id: string;
  leg: string;
  asset: string;
  amount: string;
  reference: string | null;
  created_at: string;
}

/**
 * A user's history straight from the journal: per entry, asset and leg, the net amount. Hold/release legs move
 * money between the buckets of one account and are left out. Keyset-paginated on (entry, asset, leg), newest first.
 */
export function historyPage(executor: Executor, f: HistoryFilter, limit: number, after?: HistoryCursor): Promise<HistoryRow[]> {
  const conds: SQL[] = [sql`p.user_id = ${f.userId}`, sql`p.leg not in ('hold', 'release')`];
  if (f.type) conds.push(sql`p.leg = ${f.type}`);
  if (f.asset) conds.push(sql`p.asset = ${f.asset.toUpperCase()}`);
  if (f.from) conds.push(sql`e.created_at >= ${f.from}::timestamptz`);
  if (f.to) conds.push(sql`e.created_at < ${f.to}::timestamptz`);
  if (after) conds.push(sql`(p.entry_id, p.asset, p.leg) < (${after.entryId}::bigint, ${after.asset}::text, ${after.leg}::text)`);
  return rows<HistoryRow>(
    executor,
    sql`select p.entry_id::text as entry_id, p.leg, p.asset, sum(p.amount)::text as amount, e.reference,
          to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
        from journal_postings p join journal_entries e on e.id = p.entry_id
        where ${sql.join(conds, sql` and `)}
        group by p.entry_id, p.asset, p.leg, e.reference, e.created_at
        having sum(p.amount) <> 0
        order by p.entry_id desc, p.asset desc, p.leg desc
        limit ${limit}`,
  );
}
