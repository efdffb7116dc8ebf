import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import type { GainsMethod } from './gains.compute.ts';
import { gainsSettings } from './gains.schema.ts';

export async function methodOf(executor: Executor, userId: string): Promise<GainsMethod> {
  const r = await rows<{ method: GainsMethod }>(executor, sql`select method from ${gainsSettings} where user_id = ${userId}`);
  return r[0]?.method ?? 'fifo';
}

export async function setMethod(executor: Executor, userId: string, method: GainsMethod): Promise<void> {
  await executor
    .insert(gainsSettings)
    .values({ userId, method })
    .onConflictDoUpdate({ target: gainsSettings.userId, set: { method, updatedAt: new Date() } });
}

/** One user's net movement of one asset on one leg within one journal entry (holds and releases left out: they net to zero). */
export interface EntryLeg {
  id: string;
  type: string;
  reference: string | null;
  /** ms since epoch */
  t: number;
  asset: string;
  leg: string;
  amount: string;
}

/**
 * The user's journal entries after entry `after`, up to `hi`: the entry of the `batch`-th posting of the user after
 * `after` (so about `batch` postings), with the user's postings summed per asset and leg. A read model over the
 * ledger's journal (like the transaction history): entries in id order, the order they were committed in, by a range
 * scan of the `journal_postings_user (user_id, entry_id)` index. `hi` is null when there is nothing after `after`;
 * the next batch starts after `hi` (a batch may hold no legs: entries of holds and releases only).
 */
export async function entriesAfter(executor: Executor, userId: string, after: string, batch: number): Promise<{ hi: string | null; legs: EntryLeg[] }> {
  const [bound] = await rows<{ hi: string | null }>(
    executor,
    sql`select max(entry_id)::text as hi from (
          select entry_id from journal_postings where user_id = ${userId} and entry_id > ${after}::bigint order by entry_id limit ${batch}) x`,
  );
  const hi = bound?.hi ?? null;
  if (hi === null) return { hi, legs: [] };
  const r = await rows<Omit<EntryLeg, 't'> & { t: string }>(
    executor,
    sql`select e.id::text as id, e.type, e.reference, (extract(epoch from e.created_at) * 1000)::bigint::text as t,
          p.asset, p.leg, sum(p.amount)::text as amount
        from journal_postings p join journal_entries e on e.id = p.entry_id
        where p.user_id = ${userId} and p.entry_id > ${after}::bigint and p.entry_id <= ${hi}::bigint and p.leg not in ('hold', 'release')
        group by e.id, e.type, e.reference, e.created_at, p.asset, p.leg
        order by e.id, p.asset, p.leg`,
  );
  return { hi, legs: r.map((x) => ({ ...x, t: Number(x.t) })) };
}

/** A credited deposit's figures, to value the coins it brought (read from the payments module's table, own rows only). */
export interface DepositValue {
  id: string;
  creditAsset: string;
  amountUsd: string;
  payAmount: string | null;
  creditedAmount: string | null;
}

export async function depositValues(executor: Executor, userId: string, ids: readonly string[]): Promise<Map<string, DepositValue>> {
  if (ids.length === 0) return new Map();
  const list: SQL = sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const r = await rows<DepositValue>(
    executor,
    sql`select id::text as id, credit_asset as "creditAsset", amount_usd::text as "amountUsd", pay_amount::text as "payAmount",
          credited_amount::text as "creditedAmount"
        from deposits where user_id = ${userId} and id in (${list})`,
  );
  return new Map(r.map((d) => [d.id, d]));
}
