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
