import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';

export interface HistoryFilter {
  userId: string;
  type?: string | undefined;
  asset?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface HistoryCursor {
  /** 1: a journal row; 0: a row imported from the original system (older than every journal row of the user). */
  src: 0 | 1;
  entryId: string;
  asset: string;
  leg: string;
}

export interface HistoryRow {
  src: 0 | 1;
  entry_id: string;
  leg: string;
  asset: string;
  amount: string | null;
  reference: string | null;
  description: string | null;
  created_at: string;
}

/**
 * A user's history straight from the journal: per entry, asset and leg, the net amount. Hold/release legs move
 * money between the buckets of one account and are left out. After the journal rows come the rows imported from
 * the original system (legacy_history, npm run import:legacy), which predate them. Keyset-paginated on
 * (source, entry or row id, asset, leg), newest first.
 */
export function historyPage(executor: Executor, f: HistoryFilter, limit: number, after?: HistoryCursor): Promise<HistoryRow[]> {
  const conds: SQL[] = [sql`p.user_id = ${f.userId}`, sql`p.leg not in ('hold', 'release')`];
  const old: SQL[] = [sql`h.user_id = ${f.userId}`];
  if (f.type) {
    conds.push(sql`p.leg = ${f.type}`);
    old.push(sql`h.type = ${f.type}`);
  }
  if (f.asset) {
    conds.push(sql`p.asset = ${f.asset.toUpperCase()}`);
    old.push(sql`h.asset = ${f.asset.toUpperCase()}`);
  }
  if (f.from) {
    conds.push(sql`e.created_at >= ${f.from}::timestamptz`);
    old.push(sql`h.occurred_at >= ${f.from}::timestamptz`);
  }
  if (f.to) {
    conds.push(sql`e.created_at < ${f.to}::timestamptz`);
    old.push(sql`h.occurred_at < ${f.to}::timestamptz`);
  }
  if (after) {
    if (after.src === 1) conds.push(sql`(p.entry_id, p.asset, p.leg) < (${after.entryId}::bigint, ${after.asset}::text, ${after.leg}::text)`);
    else conds.push(sql`false`);
    if (after.src === 0) old.push(sql`h.id < ${after.entryId}::bigint`);
  }
  return rows<HistoryRow>(
    executor,
    sql`(select 1 as src, p.entry_id::text as entry_id, p.leg, p.asset, sum(p.amount)::text as amount, e.reference, null::text as description,
          to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, p.entry_id as k1
        from journal_postings p join journal_entries e on e.id = p.entry_id
        where ${sql.join(conds, sql` and `)}
        group by p.entry_id, p.asset, p.leg, e.reference, e.created_at
        having sum(p.amount) <> 0
        order by p.entry_id desc, p.asset desc, p.leg desc
        limit ${limit})
        union all
        (select 0 as src, h.id::text as entry_id, h.type as leg, h.asset, h.amount::text as amount, h.reference, h.description,
          to_char(h.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, h.id as k1
        from legacy_history h
        where ${sql.join(old, sql` and `)}
        order by h.id desc
        limit ${limit})
        order by src desc, k1 desc, asset desc, leg desc
        limit ${limit}`,
  );
}
