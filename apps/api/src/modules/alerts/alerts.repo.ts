import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type PriceAlertRow, priceAlerts } from './alerts.schema.ts';

export type NewAlert = typeof priceAlerts.$inferInsert;

/** Serialises one user's alert creation so the active-alert cap holds under concurrency. */
export async function lockUserAlerts(ex: Executor, userId: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`alerts:${userId}`}, 0))`);
}

export async function countActive(ex: Executor, userId: string): Promise<number> {
  const [r] = await ex
    .select({ n: count() })
    .from(priceAlerts)
    .where(and(eq(priceAlerts.userId, userId), eq(priceAlerts.active, true)));
  return Number(r?.n ?? 0);
}

export async function insertAlert(ex: Executor, v: NewAlert): Promise<PriceAlertRow> {
  const [row] = await ex.insert(priceAlerts).values(v).returning();
  return row!;
}

export async function listAlerts(ex: Executor, userId: string): Promise<PriceAlertRow[]> {
  return ex.select().from(priceAlerts).where(eq(priceAlerts.userId, userId)).orderBy(desc(priceAlerts.createdAt)).limit(500);
}

export async function findAlert(ex: Executor, userId: string, id: string): Promise<PriceAlertRow | null> {
  const [row] = await ex
    .select()
    .from(priceAlerts)
    .where(and(eq(priceAlerts.id, id), eq(priceAlerts.userId, userId)));
  return row ?? null;
}

export async function updateAlert(ex: Executor, userId: string, id: string, v: Partial<NewAlert>): Promise<PriceAlertRow | null> {
  const [row] = await ex
    .update(priceAlerts)
    .set({ ...v, updatedAt: sql`now()` })
    .where(and(eq(priceAlerts.id, id), eq(priceAlerts.userId, userId)))
    .returning();
  return row ?? null;
}

export async function deleteAlert(ex: Executor, userId: string, id: string): Promise<boolean> {
  const rows = await ex
    .delete(priceAlerts)
    .where(and(eq(priceAlerts.id, id), eq(priceAlerts.userId, userId)))
    .returning({ id: priceAlerts.id });
  return rows.length > 0;
}

export interface FiredAlert {
  id: string;
  user_id: string;
  asset_id: string;
  condition: 'above' | 'below';
  target_price: string;
  channels: string[];
  repeat: boolean;
  price: string;
  triggered_at: Date | string;
}

/**
 * Claims every alert a tick has crossed, in one statement. Each (asset, condition) pair is a range read on the
 * partial index (asset_id, condition, target_price) WHERE active: only crossed thresholds are touched, never the
 * whole table. The UPDATE re-checks `active` / cooldown under the row lock, so two machines evaluating the same
 * tick fire each alert once.
 */
export async function claimCrossed(ex: Executor, assetIds: string[], prices: string[]): Promise<FiredAlert[]> {
  const res = (await ex.execute(sql`
    with tick as (
      select * from json_to_recordset(${JSON.stringify(assetIds.map((asset_id, i) => ({ asset_id, price: prices[i] })))}::json)
        as t(asset_id text, price numeric)
    ),
    hits as (
      select a.id, t.price from tick t join price_alerts a
        on a.active and a.asset_id = t.asset_id and a.condition = 'above' and a.target_price <= t.price
      union all
      select a.id, t.price from tick t join price_alerts a
        on a.active and a.asset_id = t.asset_id and a.condition = 'below' and a.target_price >= t.price
    )
    update price_alerts a set
      active = a.repeat,
      trigger_count = a.trigger_count + 1,
      last_triggered_at = now(),
      last_triggered_price = hits.price,
      next_eligible_at = case when a.repeat then now() + make_interval(secs => a.cooldown_seconds) else null end,
      updated_at = now()
    from hits
    where a.id = hits.id and a.active and (a.next_eligible_at is null or a.next_eligible_at <= now())
    returning a.id, a.user_id, a.asset_id, a.condition, a.target_price::text as target_price, a.channels, a.repeat,
              hits.price::text as price, a.last_triggered_at as triggered_at
  `)) as unknown as { rows: FiredAlert[] };
  return res.rows;
}
