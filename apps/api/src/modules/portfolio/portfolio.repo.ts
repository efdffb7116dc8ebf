import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { positions } from './portfolio.schema.ts';

export interface PostingPoint {
  asset: string;
  amount: string;
  /** ms since epoch */
  t: number;
}

/** Balance per asset (available + locked) at `since`, then every change after it, in order. */
export async function holdingsTimeline(executor: Executor, userId: string, since: Date): Promise<{ opening: PostingPoint[]; changes: PostingPoint[] }> {
  const opening = await rows<{ asset: string; amount: string }>(
    executor,
    sql`select asset, sum(amount)::text as amount from journal_postings
        where user_id = ${userId} and created_at < ${since.toISOString()}::timestamptz group by asset`,
  );
  const changes = await rows<{ asset: string; amount: string; t: string }>(
    executor,
    sql`select asset, sum(amount)::text as amount, (extract(epoch from created_at) * 1000)::bigint::text as t
        from journal_postings where user_id = ${userId} and created_at >= ${since.toISOString()}::timestamptz
        group by entry_id, asset, created_at having sum(amount) <> 0 order by entry_id`,
  );
  return {
    opening: opening.map((r) => ({ ...r, t: since.getTime() })),
    changes: changes.map((r) => ({ asset: r.asset, amount: r.amount, t: Number(r.t) })),
  };
}

/** The user's positions (quantity bought and its cost basis per asset), kept by the database as fills post. */
export const positionsOf = (executor: Executor, userId: string): Promise<{ asset: string; qty: string; basis: string }[]> =>
  executor.select({ asset: positions.asset, qty: positions.qty, basis: positions.basis }).from(positions).where(eq(positions.userId, userId));
