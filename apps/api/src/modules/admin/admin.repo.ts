import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';

type Counts = Record<string, number | string>;

/** Platform stats in one round trip. */
export async function stats(ex: Executor): Promise<Counts> {
  const res = (await ex.execute(sql`
    select
      (select count(*) from users)::int as users_total,
      (select count(*) from users where email_verified_at is not null)::int as users_verified,
      (select count(*) from users where suspended_at is not null)::int as users_suspended,
      (select count(*) from users where role = 'admin')::int as users_admins,
      (select count(*) from users where created_at > now() - interval '24 hours')::int as users_new,
      (select count(*) from deposits where status in ('waiting', 'confirming', 'confirmed', 'sending'))::int as deposits_pending,
      (select count(*) from deposits where review = 'pending')::int as deposits_review,
      (select count(*) from deposits where status = 'finished' and updated_at > now() - interval '24 hours')::int as deposits_finished,
      (select coalesce(sum(credited_usd), 0)::text from deposits where credited_at > now() - interval '24 hours') as deposits_credited,
      (select count(*) from withdrawals where status = 'pending_review')::int as withdrawals_pending,
      (select count(*) from withdrawals where status = 'approved')::int as withdrawals_approved,
      (select count(*) from withdrawals where status = 'completed' and completed_at > now() - interval '24 hours')::int as withdrawals_completed,
      (select count(*) from transfers where created_at > now() - interval '24 hours')::int as transfers_day,
      (select count(*) from price_alerts where active)::int as alerts_active
  `)) as unknown as { rows: Counts[] };
  return res.rows[0] ?? {};
}

export interface AccountContextRow {
  user_id: string;
  asset: string;
  name: string;
  email: string;
  created_at: Date | string;
  email_verified: boolean;
  two_factor: boolean;
  suspended: boolean;
  frozen: boolean;
  available: string;
  locked: string;
  deposits: number;
  deposits_usd: string;
  withdrawals_30d: number;
  withdrawals_usd_30d: string;
  withdrawals_rejected: number;
  trades: number;
}

/**
 * The account context of each (user, asset) pair of a queue page in one round trip: the console's read model over
 * the users, ledger, deposits, withdrawals and orders tables (read only; each count uses its table's per-user index).
 */
export async function accountContexts(ex: Executor, pairs: readonly { userId: string; asset: string }[]): Promise<AccountContextRow[]> {
  if (pairs.length === 0) return [];
  const res = (await ex.execute(sql`
    with q as (
      select distinct * from json_to_recordset(${JSON.stringify(pairs)}::json) as q("userId" uuid, asset text)
    )
    select q."userId"::text as user_id, q.asset, u.name, u.email, u.created_at,
      u.email_verified_at is not null as email_verified, u.totp_enabled_at is not null as two_factor,
      u.suspended_at is not null as suspended, u.frozen_at is not null as frozen,
      coalesce(a.available, 0)::text as available, coalesce(a.locked, 0)::text as locked,
      d.n::int as deposits, d.usd::text as deposits_usd,
      w.n30::int as withdrawals_30d, w.usd30::text as withdrawals_usd_30d, w.rejected::int as withdrawals_rejected,
      o.n::int as trades
    from q
    join users u on u.id = q."userId"
    left join ledger_accounts a on a.key = 'user:' || q."userId"::text || ':' || q.asset
    cross join lateral (
      select count(*) as n, coalesce(sum(coalesce(credited_usd, amount_usd)), 0) as usd from deposits where user_id = q."userId" and credited_at is not null
    ) d
    cross join lateral (
      select count(*) filter (where status = 'completed' and completed_at > now() - interval '30 days') as n30,
        coalesce(sum(amount_usd) filter (where status = 'completed' and completed_at > now() - interval '30 days'), 0) as usd30,
        count(*) filter (where status = 'rejected') as rejected
      from withdrawals where user_id = q."userId"
    ) w
    cross join lateral (select count(*) as n from orders where user_id = q."userId" and filled > 0) o
  `)) as unknown as { rows: AccountContextRow[] };
  return res.rows;
}

export interface SeriesRow {
  day: string;
  signups: number;
  deposits_usd: string;
  withdrawals_usd: string;
  trades: number;
  traded_usd: string;
}

/** Per UTC day for the last `days` days (today included), every day present even when nothing happened. */
export async function statsSeries(ex: Executor, days: number): Promise<SeriesRow[]> {
  const res = (await ex.execute(sql`
    with d as (
      select generate_series(
        (now() at time zone 'UTC')::date - (${days}::int - 1), (now() at time zone 'UTC')::date, interval '1 day'
      )::date as day
    ),
    since as (select ((now() at time zone 'UTC')::date - (${days}::int - 1))::timestamp at time zone 'UTC' as t)
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce(s.n, 0)::int as signups,
      coalesce(dep.usd, 0)::text as deposits_usd,
      coalesce(w.usd, 0)::text as withdrawals_usd,
      coalesce(o.n, 0)::int as trades,
      coalesce(o.usd, 0)::text as traded_usd
    from d
    left join (
      select (created_at at time zone 'UTC')::date as day, count(*) as n from users, since where created_at >= since.t group by 1
    ) s on s.day = d.day
    left join (
      select (credited_at at time zone 'UTC')::date as day, sum(coalesce(credited_usd, amount_usd)) as usd from deposits, since
      where credited_at >= since.t group by 1
    ) dep on dep.day = d.day
    left join (
      select (completed_at at time zone 'UTC')::date as day, sum(amount_usd) as usd from withdrawals, since
      where status = 'completed' and completed_at >= since.t group by 1
    ) w on w.day = d.day
    left join (
      select (updated_at at time zone 'UTC')::date as day, count(*) as n, sum(cost) filter (where quote = 'USD') as usd
      from orders, since where filled > 0 and updated_at >= since.t group by 1
    ) o on o.day = d.day
    order by d.day
  `)) as unknown as { rows: SeriesRow[] };
  return res.rows;
}
