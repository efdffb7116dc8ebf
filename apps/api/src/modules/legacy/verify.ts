/**
 * `import:legacy verify`: reads the source again, runs the same transform, and compares with what the import
 * posted: every planned user imported, each opening balance equal to the rounded source value, per-asset totals
 * equal, the books reconciled.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { D, reconcile, ZERO } from '../ledger/index.ts';
import { planAgainstTarget, userReference } from './importer.ts';
import type { LegacySource } from './source.ts';

export interface VerifyAssetRow {
  asset: string;
  /** Exact sum of the source balances of the imported users. */
  source: string;
  /** Sum of the rounded source balances: what should have been posted. */
  expected: string;
  /** What the import posted (opening-balance entries on the users' accounts). */
  posted: string;
  /** posted − source, which must equal the sum of the listed roundings. */
  rounding: string;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  source: string;
  usersPlanned: number;
  usersImported: number;
  missing: string[];
  mismatches: { sourceId: string; asset: string; expected: string; posted: string }[];
  assets: VerifyAssetRow[];
  heldForReview: number;
  /** Rows of the original's `transactions` collection for the imported users, and how many legacy_history holds. */
  history: { expected: number; imported: number };
  /** Documents of the original's `orders` collection for the imported users, and how many legacy_orders holds. */
  orders: { expected: number; imported: number };
  reconciliationOk: boolean;
}

export async function verifyImport(database: Database, source: LegacySource): Promise<VerifyReport> {
  const db = database.db;
  const { plan, history, orders, already, taken } = await planAgainstTarget(db, source);
  const takenIds = new Set(taken.map((t) => t.sourceId));
  // Users planned for import; one whose address another account took is held, not missing.
  const planned = plan.users.filter((u) => already.has(u.sourceId) || !takenIds.has(u.sourceId));
  const missing = planned.filter((u) => !already.has(u.sourceId)).map((u) => u.sourceId);

  const posted = new Map<string, Map<string, string>>();
  const refs = planned.filter((u) => already.has(u.sourceId)).map((u) => userReference(u.sourceId));
  for (let i = 0; i < refs.length; i += 1000) {
    const chunk = refs.slice(i, i + 1000);
    const found = await rows<{ reference: string; asset: string; amount: string }>(
      db,
      sql`select e.reference, p.asset, sum(p.amount)::text as amount
          from journal_entries e join journal_postings p on p.entry_id = e.id
          where e.reference in (${sql.join(
            chunk.map((r) => sql`${r}`),
            sql`, `,
          )}) and p.user_id is not null
          group by e.reference, p.asset`,
    );
    for (const r of found) {
      const m = posted.get(r.reference) ?? new Map<string, string>();
      m.set(r.asset, r.amount);
      posted.set(r.reference, m);
    }
  }

  const mismatches: VerifyReport['mismatches'] = [];
  const sums = new Map<string, { source: InstanceType<typeof D>; expected: InstanceType<typeof D>; posted: InstanceType<typeof D> }>();
  const sum = (asset: string) => {
    let s = sums.get(asset);
    if (!s) {
      s = { source: ZERO, expected: ZERO, posted: ZERO };
      sums.set(asset, s);
    }
    return s;
  };
  for (const u of planned) {
    if (!already.has(u.sourceId)) continue;
    const got = posted.get(userReference(u.sourceId)) ?? new Map<string, string>();
    const expected = new Map(u.balances.map((b) => [b.asset, b.amount]));
    for (const asset of new Set([...expected.keys(), ...got.keys()])) {
      const e = new D(expected.get(asset) ?? 0);
      const p = new D(got.get(asset) ?? 0);
      if (!e.eq(p)) mismatches.push({ sourceId: u.sourceId, asset, expected: e.toFixed(), posted: p.toFixed() });
      const s = sum(asset);
      s.expected = s.expected.plus(e);
      s.posted = s.posted.plus(p);
    }
    for (const b of u.balances) sum(b.asset).source = sum(b.asset).source.plus(b.source);
    for (const r of u.roundings) if (new D(r.imported).isZero()) sum(r.asset).source = sum(r.asset).source.plus(r.source);
  }
  const assets: VerifyAssetRow[] = [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([asset, s]) => ({
      asset,
      source: s.source.toFixed(),
      expected: s.expected.toFixed(),
      posted: s.posted.toFixed(),
      rounding: s.posted.minus(s.source).toFixed(),
      ok: s.expected.eq(s.posted),
    }));
  const importedIds = planned.filter((u) => already.has(u.sourceId)).map((u) => u.sourceId);
  const expectedHistory = importedIds.reduce((n, id) => n + (history.byUser.get(id)?.length ?? 0), 0);
  const expectedOrders = importedIds.reduce((n, id) => n + (orders.byUser.get(id)?.length ?? 0), 0);
  let importedHistory = 0;
  let importedOrders = 0;
  for (let i = 0; i < importedIds.length; i += 1000) {
    const chunk = importedIds.slice(i, i + 1000);
    const [r] = await rows<{ n: number; o: number }>(
      db,
      sql`with u as (select user_id from legacy_import_map where collection = 'users' and source_id in (${sql.join(
        chunk.map((c) => sql`${c}`),
        sql`, `,
      )}))
          select (select count(*) from legacy_history h where h.user_id in (select user_id from u))::int as n,
            (select count(*) from legacy_orders o where o.user_id in (select user_id from u))::int as o`,
    );
    importedHistory += Number(r?.n ?? 0);
    importedOrders += Number(r?.o ?? 0);
  }
  const rec = await reconcile(db);
  const heldForReview = new Set([...plan.anomalies, ...taken].filter((a) => a.reason !== 'orphan_wallet').map((a) => a.sourceId)).size;
  return {
    ok:
      missing.length === 0 &&
      mismatches.length === 0 &&
      assets.every((a) => a.ok) &&
      rec.ok &&
      expectedHistory === importedHistory &&
      expectedOrders === importedOrders,
    source: source.describe,
    usersPlanned: planned.length,
    usersImported: planned.length - missing.length,
    missing,
    mismatches,
    assets,
    heldForReview,
    history: { expected: expectedHistory, imported: importedHistory },
    orders: { expected: expectedOrders, imported: importedOrders },
    reconciliationOk: rec.ok,
  };
}
