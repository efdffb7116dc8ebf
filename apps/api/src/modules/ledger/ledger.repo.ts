import { createHash } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { insertRowsSql, type TableRows } from '../../platform/db/table-rows.ts';

const dialect = new PgDialect();
const statementNames = new Map<string, string>();

/**
 * `rows` as a named statement: PostgreSQL parses and plans it once per connection instead of on every call (for a
 * long statement run on every order, a large part of its fixed cost). The name follows from the text, so a
 * different text can never reuse another's plan. PGlite runs it as an ordinary query.
 */
export async function preparedRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const q = dialect.sqlToQuery(query);
  let name = statementNames.get(q.sql);
  if (!name) {
    name = `cv_${createHash('sha1').update(q.sql).digest('hex').slice(0, 16)}`;
    statementNames.set(q.sql, name);
  }
  const result = (await executor._.session.prepareQuery(q, undefined, name, false).execute()) as { rows: T[] };
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
  /** The entries, applied together or not at all; postings name theirs by index. */
  entries: { type: string; reference: string | null; userId: string | null; memo: Record<string, unknown> | null }[];
  /** Net change per account key over all the entries. */
  deltas: { key: string; da: string; dl: string }[];
  postings: { entry: number; key: string; user_id: string | null; asset: string; bucket: string; leg: string; amount: string }[];
}

export interface AppliedRow {
  /** The new entries' ids in input order, comma-separated. */
  entry_ids: string | null;
  posted: number;
  found: number;
  id: string | null;
  key: string | null;
  user_id: string | null;
  asset: string | null;
  available: string | null;
  locked: string | null;
  /** Rows written by the statement's `writes` (all of them, or none when the entries were not applied). */
  written: number;
}

/**
 * One statement, so the hot rows stay locked for a single round trip: lock every account of the entries in key
 * order (bytewise: the same order in every transaction, so concurrent postings cannot deadlock), then apply the net
 * deltas and insert the entries and their postings. When an account is missing nothing is locked or written
 * (accounts are never deleted, so existence needs no lock) and `found` tells the caller to create it and try again.
 * The non-negative CHECK aborts the whole statement when a user's balance would go below zero. Returns one row per
 * account (its new balance), or a single row with null account columns when nothing was applied.
 *
 * `writes` are rows of other tables (an order, an idempotency record) that must commit with the entries or not at
 * all: inserted by the same statement, only when the entries are applied (platform/db/table-rows.ts).
 *
 * Every account is reached through its key or id index whatever the table's size: each key is looked up on its
 * own (a lateral subquery the planner cannot turn into a hash join over the whole table), the rows are locked one
 * by one in the sorted order of the keys, and the update finds them by id.
 */
export function applyEntries(executor: Executor, input: ApplyInput, writes: readonly TableRows[] = []): Promise<AppliedRow[]> {
  // A PostgreSQL text[] literal (keys are ASCII without quotes, escaped anyway).
  const keys = `{${input.deltas.map((d) => `"${d.key.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
  const entries = JSON.stringify(input.entries.map((e, i) => ({ i, type: e.type, reference: e.reference, user_id: e.userId, memo: e.memo })));
  const guard = { from: sql`ok`, where: sql`ok.ok` };
  const companions = writes.map((w, i) => sql`, ${sql.identifier(`w${i}`)} as (${insertRowsSql(w, guard)})`);
  const written = writes.length
    ? sql.join(
        writes.map((_, i) => sql`(select count(*)::int from ${sql.identifier(`w${i}`)})`),
        sql` + `,
      )
    : sql`0`;
  return preparedRows(
    executor,
    sql`with ex as materialized (
      select count(*)::int as found
      from unnest(${keys}::text[]) k(key), lateral (select 1 from ledger_accounts a where a.key = k.key limit 1) a
    ), lk as materialized (
      select a.id, a.key
      from (select key from unnest(${keys}::text[]) key where (select found from ex) = ${input.deltas.length} order by key collate "C") k,
        lateral (select id, key from ledger_accounts where key = k.key for update) a
    ), ok as (
      select count(*) = ${input.deltas.length} as ok, (select found from ex) as found from lk
    ), d as (
      select * from jsonb_to_recordset(${JSON.stringify(input.deltas)}::jsonb) as x(key text, da numeric, dl numeric)
    ), upd as (
      update ledger_accounts a set available = a.available + d.da, locked = a.locked + d.dl, updated_at = now()
      from d
      where a.id = any(array(select id from lk)) and a.key = d.key
      returning a.id::text as id, a.key, a.user_id, a.asset, a.available::text as available, a.locked::text as locked
    ), ei as materialized (
      select x.i, nextval(pg_get_serial_sequence('journal_entries', 'id')) as id, x.type, x.reference, x.user_id, x.memo
      from ok, jsonb_to_recordset(${entries}::jsonb) as x(i int, type text, reference text, user_id uuid, memo jsonb)
      where ok.ok
    ), e as (
      insert into journal_entries (id, type, reference, user_id, memo) overriding system value
      select id, type, reference, user_id, memo from ei
      returning id
    ), p as (
      insert into journal_postings (entry_id, account_id, user_id, asset, bucket, leg, amount)
      select e.id, lk.id, x.user_id, x.asset, x.bucket, x.leg, x.amount
      from jsonb_to_recordset(${JSON.stringify(input.postings)}::jsonb)
          as x(entry int, key text, user_id uuid, asset text, bucket text, leg text, amount numeric)
        join ei on ei.i = x.entry
        join e on e.id = ei.id
        join lk on lk.key = x.key
      returning 1
    )${sql.join(companions, sql``)}
    select (select string_agg(id::text, ',' order by i) from ei) as entry_ids, (select count(*)::int from p) as posted,
      (select found from ok) as found, ${written} as written, upd.*
    from (select 1) one left join upd on true`,
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

export interface UserHoldingsRow {
  user_id: string;
  /** `ASSET:total,ASSET:total` (available + locked, NUMERIC text), one entry per account of the user. */
  holdings: string;
}

/**
 * Every user's total (available + locked) per asset, a page of users at a time in user id order (keyset: users
 * after `afterUserId`). Inside a repeatable-read transaction the pages together are one consistent snapshot.
 */
export function userHoldingsPage(executor: Executor, afterUserId: string | null, limit: number): Promise<UserHoldingsRow[]> {
  return rows(executor, userHoldingsPageQuery(afterUserId, limit));
}

/**
 * The page's statement (its plan is tested). A page costs one page, whatever the number of accounts: first the
 * page's user ids, the next `limit` distinct ids after the cursor from the `ledger_accounts_user` index (an
 * index-only walk: `user_id is not null` is the index's own predicate and, by the `ledger_accounts_owner` check,
 * the same rows as `kind = 'user'`); then, per id, that user's accounts through the same index (a subquery per
 * row, so no plan can trade it for a scan of every account, as a hash join does while the table is small enough
 * for the planner to price it cheaper). Ordered by the uuid itself, as the cursor compares it: the earlier single
 * `group by user_id order by user_id limit` bound `order by` to the text output column, so PostgreSQL aggregated
 * and sorted every account for each page (seconds per page at a million users).
 */
export function userHoldingsPageQuery(afterUserId: string | null, limit: number): SQL {
  return sql`with page as (
      select distinct user_id from ledger_accounts
      where user_id is not null ${afterUserId ? sql`and user_id > ${afterUserId}::uuid` : sql``}
      order by user_id limit ${limit})
    select page.user_id::text as user_id,
      (select string_agg(a.asset || ':' || (a.available + a.locked)::text, ',' order by a.asset)
       from ledger_accounts a where a.user_id = page.user_id and a.kind = 'user') as holdings
    from page order by page.user_id`;
}

/** The user's available balance of `asset` ('0' without an account). A read, not a lock: the ledger's CHECK decides. */
export async function availableOf(ex: Executor, userId: string, asset: string): Promise<string> {
  const r = (await ex.execute(sql`select available::text as available from ledger_accounts where key = ${`user:${userId}:${asset}`}`)) as unknown as {
    rows: { available: string }[];
  };
  return r.rows[0]?.available ?? '0';
}
