import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';

/** Raw rows from `execute` look the same on node-postgres and PGlite: `{ rows }`. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export interface AccountSpec {
  key: string;
  kind: string;
  user_id: string | null;
  asset: string;
  shard: number;
}

/** Creates missing accounts with zero balances (first posting of a user in an asset). */
export async function createAccounts(executor: Executor, specs: AccountSpec[]): Promise<void> {
  await executor.execute(sql`
    insert into ledger_accounts (key, kind, user_id, asset, shard)
    select key, kind, user_id, asset, shard
    from jsonb_to_recordset(${JSON.stringify(specs)}::jsonb) as x(key text, kind text, user_id uuid, asset text, shard smallint)
    order by key collate "C"
    on conflict (key) do nothing`);
}

export interface ApplyInput {
  type: string;
  reference: string | null;
  userId: string | null;
  memo: string | null;
  /** Net change per account key. */
  deltas: { key: string; da: string; dl: string }[];
  postings: { key: string; user_id: string | null; asset: string; bucket: string; leg: string; amount: string }[];
}

export interface AppliedRow {
  entry_id: string | null;
  posted: number;
  found: number;
  id: string | null;
  user_id: string | null;
  asset: string | null;
  available: string | null;
  locked: string | null;
}

/**
 * One statement, so the hot rows stay locked for a single round trip: lock every account of the entry in key order
 * (bytewise: the same order in every transaction, so concurrent postings cannot deadlock), then apply the net
 * deltas and insert the entry and its postings. When an account is missing nothing is locked or written (accounts
 * are never deleted, so existence needs no lock) and `found` tells the caller to create it and try again. The non-negative CHECK aborts the statement when a user's
 * balance would go below zero.
 */
/**
 * A statement that must commit with an entry or not at all, run as one more CTE of the same statement. It may read
 * `ok` (one row, `ok.ok` true when the entry is applied) and must write nothing unless `ok.ok`; the columns it
 * returns come back on every result row, so name them apart from the account columns (e.g. `c_` prefixes).
 */
export interface Companion {
  cte: SQL;
}

export function applyEntry(executor: Executor, input: ApplyInput, companion?: Companion): Promise<AppliedRow[]> {
  const keys = JSON.stringify(input.deltas.map((d) => d.key));
  return rows(
    executor,
    sql`with ex as materialized (
      select count(*)::int as found from ledger_accounts where key in (select jsonb_array_elements_text(${keys}::jsonb))
    ), lk as materialized (
      select id, key from ledger_accounts
      where key in (select jsonb_array_elements_text(${keys}::jsonb)) and (select found from ex) = ${input.deltas.length}
      order by key collate "C" for update
    ), ok as (
      select count(*) = ${input.deltas.length} as ok, (select found from ex) as found from lk
    ), d as (
      select * from jsonb_to_recordset(${JSON.stringify(input.deltas)}::jsonb) as x(key text, da numeric, dl numeric)
    ), upd as (
      update ledger_accounts a set available = a.available + d.da, locked = a.locked + d.dl, updated_at = now()
      from d join lk on lk.key = d.key, ok
      where a.id = lk.id and ok.ok
      returning a.id::text as id, a.user_id, a.asset, a.available::text as available, a.locked::text as locked
    ), e as (
      insert into journal_entries (type, reference, user_id, memo)
      select ${input.type}, ${input.reference}, ${input.userId}::uuid, ${input.memo}::jsonb from ok where ok.ok
      returning id
    ), p as (
      insert into journal_postings (entry_id, account_id, user_id, asset, bucket, leg, amount)
      select e.id, lk.id, x.user_id, x.asset, x.bucket, x.leg, x.amount
      from e, jsonb_to_recordset(${JSON.stringify(input.postings)}::jsonb)
        as x(key text, user_id uuid, asset text, bucket text, leg text, amount numeric)
        join lk on lk.key = x.key
      returning 1
    )${companion ? sql`, c as (${companion.cte})` : sql``}
    select (select id::text from e) as entry_id, (select count(*)::int from p) as posted, (select found from ok) as found, upd.*${companion ? sql`, c.*` : sql``}
    from (select 1) one left join upd on true${companion ? sql` left join c on true` : sql``}`,
  );
}

export interface BalanceRow {
  asset: string;
  available: string;
  locked: string;
}

export function userBalances(executor: Executor, userId: string): Promise<BalanceRow[]> {
  return rows(
    executor,
    sql`select asset, available::text as available, locked::text as locked
        from ledger_accounts where user_id = ${userId} and kind = 'user' order by asset`,
  );
}

export interface ReconciliationRow {
  asset: string;
  users_total: string;
  platform_total: string;
  journal_total: string;
  mismatched_accounts: number;
  unbalanced_entries: number;
}

/**
 * Per asset: users' balances, platform balances, the sum of all postings, how many accounts differ from the sum of
 * their own postings, and how many entries do not sum to zero. A sound ledger has users + platform == journal == 0
 * and no mismatches.
 */
export function reconciliation(executor: Executor): Promise<ReconciliationRow[]> {
  return rows(
    executor,
    sql`with bal as (
      select asset,
        coalesce(sum(available + locked) filter (where kind = 'user'), 0) as users_total,
        coalesce(sum(available + locked) filter (where kind <> 'user'), 0) as platform_total
      from ledger_accounts group by asset
    ), posted as (
      select account_id,
        sum(amount) filter (where bucket = 'available') as av,
        sum(amount) filter (where bucket = 'locked') as lk
      from journal_postings group by account_id
    ), mism as (
      select a.asset, count(*)::int as n from ledger_accounts a left join posted p on p.account_id = a.id
      where a.available <> coalesce(p.av, 0) or a.locked <> coalesce(p.lk, 0) group by a.asset
    ), jtot as (
      select asset, sum(amount) as total from journal_postings group by asset
    ), unb as (
      select asset, count(*)::int as n from (
        select entry_id, asset from journal_postings group by entry_id, asset having sum(amount) <> 0
      ) u group by asset
    ), assets as (select asset from bal union select asset from jtot)
    select s.asset,
      coalesce(bal.users_total, 0)::text as users_total,
      coalesce(bal.platform_total, 0)::text as platform_total,
      coalesce(jtot.total, 0)::text as journal_total,
      coalesce(mism.n, 0) as mismatched_accounts,
      coalesce(unb.n, 0) as unbalanced_entries
    from assets s
      left join bal on bal.asset = s.asset
      left join jtot on jtot.asset = s.asset
      left join mism on mism.asset = s.asset
      left join unb on unb.asset = s.asset
    order by s.asset`,
  );
}
