/**
 * Writes the transform's plan: one transaction per user (account, opening balances, 2FA, idempotency rows), so an
 * interruption or a failure leaves every user either wholly imported or not at all; a second run skips what the
 * first imported (legacy_import_map) and carries on where it stopped.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../platform/db/client.ts';
import { type AuthDeps, encrypt, hashBackupCode } from '../auth/index.ts';
import { openingBalances } from '../ledger/index.ts';
import { pgError, retryTransient } from '../../platform/db/sql.ts';
import { insertNotification } from '../notifications/index.ts';
import { insertAlert } from '../alerts/index.ts';
import { rows } from '../../platform/db/sql.ts';
import { MAX_ACTIVE_ALERTS } from '@cryptovault/contract';
import type { LegacyDoc, LegacySource } from './source.ts';
import {
  type AlertPlan,
  type Anomaly,
  type AssetTotals,
  type HistoryPlan,
  type MovementsPlan,
  type Notice,
  type OrderPlan,
  planAlerts,
  planHistory,
  planMovements,
  planOrders,
  planUsers,
  type Rounding,
  totalsFor,
  type UserPlan,
  type UsersPlan,
} from './transform.ts';

export type OnAnomaly = 'stop' | 'review';

export interface ImportOptions {
  dryRun: boolean;
  onAnomaly: OnAnomaly;
  /** Keys derived from DATA_ENCRYPTION_KEY: 2FA secrets are stored encrypted as the server's own are. */
  keys: AuthDeps['keys'];
  /** Aborting stops between two users (SIGINT/SIGTERM in the CLI): what is done stays done, the rest waits. */
  signal?: AbortSignal;
  progress?: (line: string) => void;
  /** Called after each user's transaction commits (progress; tests stop a run midway with it). */
  afterUser?: (sourceId: string, done: number, total: number) => void;
}

export type RunStatus = 'dry-run' | 'stopped' | 'completed' | 'interrupted';

export interface ImportReport {
  source: string;
  status: RunStatus;
  dryRun: boolean;
  onAnomaly: OnAnomaly;
  runId: string | null;
  users: {
    /** User documents in the source. */
    seen: number;
    /** Users the plan would import (not held back). */
    planned: number;
    imported: number;
    alreadyImported: number;
    held: number;
    twoFactorCarried: number;
    twoFactorReset: number;
    suspended: number;
  };
  wallets: number;
  /**
   * History rows: `seen` counts the original's `transactions` documents; `ofImportedUsers` and `imported` count
   * rows (those documents, plus deposits, withdrawals and transfers no transaction records) of the users to import.
   */
  history: { seen: number; ofImportedUsers: number; imported: number };
  /** `deposits`, `withdrawals`, `transfers` documents: in the source, and how many a `transactions` row already records. */
  movements: Pick<MovementsPlan, 'seen' | 'linked'>;
  /** The original's `orders`: in the source, of the users to import, imported now (as read-only order history). */
  orders: { seen: number; ofImportedUsers: number; imported: number };
  /** The original's `price_alerts`: in the source, imported now (as this user's price alerts). */
  alerts: { seen: number; imported: number };
  totals: Record<string, AssetTotals>;
  roundings: Rounding[];
  anomalies: Anomaly[];
  notices: Notice[];
}

export const userReference = (sourceId: string) => `legacy-import:user:${sourceId}`;

export async function readAll(source: LegacySource, collection: string): Promise<LegacyDoc[]> {
  const out: LegacyDoc[] = [];
  for await (const d of source.read(collection)) out.push(d);
  return out;
}

/** The plan for a source, with what the target already holds: imported users, and addresses taken by others. */
export async function planAgainstTarget(
  ex: Executor,
  source: LegacySource,
): Promise<{
  plan: UsersPlan;
  history: ReturnType<typeof planHistory>;
  movements: MovementsPlan;
  orders: ReturnType<typeof planOrders>;
  alerts: ReturnType<typeof planAlerts>;
  already: Set<string>;
  taken: Anomaly[];
}> {
  const plan = planUsers(await readAll(source, 'users'), await readAll(source, 'wallets'));
  const txDocs = await readAll(source, 'transactions');
  const history = planHistory(txDocs);
  const { enrich, ...movements } = planMovements(txDocs, {
    deposits: await readAll(source, 'deposits'),
    withdrawals: await readAll(source, 'withdrawals'),
    transfers: await readAll(source, 'transfers'),
  });
  const orders = planOrders(await readAll(source, 'orders'), txDocs);
  const alerts = planAlerts(await readAll(source, 'price_alerts'));
  // A withdrawal's row gets where the withdrawal ended; documents no transaction records join the user's history.
  for (const list of history.byUser.values()) {
    for (const h of list) {
      const more = enrich.get(h.sourceId);
      if (more) h.description = `${h.description} (${more})`.trim().slice(0, 500);
    }
  }
  for (const [owner, rows] of movements.byUser) {
    history.byUser.set(
      owner,
      [...(history.byUser.get(owner) ?? []), ...rows].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.sourceId.localeCompare(b.sourceId)),
    );
  }
  const known = new Set(plan.users.map((u) => u.sourceId));
  const heldIds = new Set(plan.anomalies.map((a) => a.sourceId));
  // Users held for review get their history when they are imported; rows of users that do not exist are listed.
  for (const [owner, rows] of history.byUser) {
    if (known.has(owner) || heldIds.has(owner)) continue;
    for (const h of rows)
      history.notices.push({ collection: h.collection, sourceId: h.sourceId, kind: 'history_not_carried', detail: `user ${owner} does not exist` });
  }
  for (const [owner, list] of orders.byUser) {
    if (known.has(owner) || heldIds.has(owner)) continue;
    for (const o of list)
      orders.notices.push({ collection: 'orders', sourceId: o.sourceId, kind: 'order_not_carried', detail: `user ${owner} does not exist` });
  }
  const ids = plan.users.map((u) => u.sourceId);
  const already = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const found = await rows<{ source_id: string }>(
      ex,
      sql`select source_id from legacy_import_map where collection = 'users' and source_id in (${sql.join(
        chunk.map((c) => sql`${c}`),
        sql`, `,
      )})`,
    );
    for (const r of found) already.add(r.source_id);
  }
  const pending = plan.users.filter((u) => !already.has(u.sourceId));
  const taken: Anomaly[] = [];
  for (let i = 0; i < pending.length; i += 1000) {
    const chunk = pending.slice(i, i + 1000);
    const found = await rows<{ email: string }>(
      ex,
      sql`select email from users where email in (${sql.join(
        chunk.map((u) => sql`${u.email}`),
        sql`, `,
      )})`,
    );
    const emails = new Set(found.map((r) => r.email));
    for (const u of chunk) {
      if (emails.has(u.email)) {
        taken.push({ collection: 'users', sourceId: u.sourceId, reason: 'email_taken', detail: `${u.email} already has a CryptoVault account` });
      }
    }
  }
  return { plan, history, movements, orders, alerts, already, taken };
}

export async function runImport(database: Database, source: LegacySource, opts: ImportOptions): Promise<ImportReport> {
  const db = database.db;
  const { plan, history, movements, orders, alerts, already, taken } = await planAgainstTarget(db, source);
  const takenIds = new Set(taken.map((t) => t.sourceId));
  const anomalies = [...plan.anomalies, ...taken];
  const toImport = plan.users.filter((u) => !already.has(u.sourceId) && !takenIds.has(u.sourceId));
  const report: ImportReport = {
    source: source.describe,
    status: 'dry-run',
    dryRun: opts.dryRun,
    onAnomaly: opts.onAnomaly,
    runId: null,
    users: {
      seen: plan.counts.users,
      planned: plan.users.length - takenIds.size,
      imported: 0,
      alreadyImported: already.size,
      held: new Set(anomalies.filter((a) => a.reason !== 'orphan_wallet').map((a) => a.sourceId)).size,
      twoFactorCarried: 0,
      twoFactorReset: 0,
      suspended: 0,
    },
    wallets: plan.counts.wallets,
    history: {
      seen: history.seen,
      ofImportedUsers: plan.users.filter((u) => !takenIds.has(u.sourceId)).reduce((n, u) => n + (history.byUser.get(u.sourceId)?.length ?? 0), 0),
      imported: 0,
    },
    movements: { seen: movements.seen, linked: movements.linked },
    orders: {
      seen: orders.seen,
      ofImportedUsers: plan.users.filter((u) => !takenIds.has(u.sourceId)).reduce((n, u) => n + (orders.byUser.get(u.sourceId)?.length ?? 0), 0),
      imported: 0,
    },
    alerts: { seen: alerts.seen, imported: 0 },
    totals: plan.totals,
    roundings: plan.users.flatMap((u) => u.roundings),
    anomalies,
    notices: [...plan.notices, ...history.notices, ...movements.notices, ...orders.notices, ...alerts.notices],
  };
  if (taken.length > 0) report.totals = totalsFor(plan.users.filter((u) => !takenIds.has(u.sourceId)));
  if (anomalies.length > 0 && opts.onAnomaly === 'stop') {
    report.status = 'stopped';
    return report;
  }
  if (opts.dryRun) {
    for (const u of toImport) count(report, u);
    return report;
  }

  const [run] = await rows<{ id: string }>(
    db,
    sql`insert into legacy_import_runs (source, on_anomaly, status) values (${source.describe}, ${opts.onAnomaly}, 'running') returning id::text as id`,
  );
  const runId = run!.id;
  report.runId = runId;
  for (const a of anomalies) await recordReview(db, runId, a);

  report.status = 'completed';
  let done = 0;
  for (const u of toImport) {
    if (opts.signal?.aborted) {
      report.status = 'interrupted';
      break;
    }
    const outcome = await retryTransient(() =>
      db.transaction((tx) =>
        importUser(tx, runId, u, history.byUser.get(u.sourceId) ?? [], orders.byUser.get(u.sourceId) ?? [], alerts.byUser.get(u.sourceId) ?? [], opts.keys),
      ),
    ).catch((err: unknown) => {
      const pg = pgError(err);
      if (pg.code === '23505' && pg.constraint === 'legacy_import_map_pkey') return 'already' as const;
      if (pg.code === '23505' && pg.constraint === 'users_email_key') return 'taken' as const;
      throw err;
    });
    if (outcome === 'already') report.users.alreadyImported++;
    else if (outcome === 'taken') {
      const a: Anomaly = { collection: 'users', sourceId: u.sourceId, reason: 'email_taken', detail: `${u.email} already has a CryptoVault account` };
      report.anomalies.push(a);
      report.users.held++;
      await recordReview(db, runId, a);
    } else {
      report.users.imported++;
      report.history.imported += history.byUser.get(u.sourceId)?.length ?? 0;
      report.orders.imported += orders.byUser.get(u.sourceId)?.length ?? 0;
      report.alerts.imported += alerts.byUser.get(u.sourceId)?.length ?? 0;
      count(report, u);
    }
    done++;
    opts.afterUser?.(u.sourceId, done, toImport.length);
    if (done % 500 === 0) opts.progress?.(`  users: ${done}/${toImport.length}`);
  }
  await db.execute(
    sql`update legacy_import_runs set status = ${report.status}, finished_at = now(), report = ${JSON.stringify(summary(report))}::jsonb where id = ${runId}`,
  );
  return report;
}

function count(report: ImportReport, u: UserPlan): void {
  if (u.twoFactor) report.users.twoFactorCarried++;
  if (u.twoFactorReset) report.users.twoFactorReset++;
  if (u.suspended) report.users.suspended++;
}

function summary(r: ImportReport): Record<string, unknown> {
  return { status: r.status, users: r.users, totals: r.totals, roundings: r.roundings.length, anomalies: r.anomalies.length, notices: r.notices.length };
}

async function recordReview(ex: Executor, runId: string, a: Anomaly): Promise<void> {
  await ex.execute(sql`
    insert into legacy_import_review (collection, source_id, reason, detail, run_id)
    values (${a.collection}, ${a.sourceId}, ${a.reason}, ${a.detail}, ${runId})
    on conflict (collection, source_id, reason) do update
      set detail = excluded.detail, run_id = excluded.run_id, last_seen_at = now(), resolved_at = null`);
}

async function importUser(
  tx: Executor,
  runId: string,
  u: UserPlan,
  history: HistoryPlan[],
  orders: OrderPlan[],
  alerts: AlertPlan[],
  keys: AuthDeps['keys'],
): Promise<'imported'> {
  const totpEnc = u.twoFactor ? encrypt(keys.totp, u.twoFactor.secret) : null;
  const backup = u.twoFactor ? u.twoFactor.backupCodes.map((c) => hashBackupCode({ keys }, c)) : [];
  const backupArray = backup.length
    ? sql`array[${sql.join(
        backup.map((b) => sql`${b}`),
        sql`, `,
      )}]::text[]`
    : sql`'{}'::text[]`;
  const [user] = await rows<{ id: string }>(
    tx,
    sql`insert into users (email, name, password_hash, role, email_verified_at, totp_secret_enc, totp_enabled_at, backup_code_hashes,
          suspended_at, created_at, updated_at)
        values (${u.email}, ${u.name}, ${u.passwordHash}, 'user', ${u.verified ? u.createdAt.toISOString() : null}::timestamptz,
          ${totpEnc}, ${u.twoFactor ? sql`now()` : null}, ${backupArray},
          ${u.suspended ? sql`now()` : null}, ${u.createdAt.toISOString()}::timestamptz, now())
        returning id::text as id`,
  );
  const userId = user!.id;
  await tx.execute(
    sql`insert into legacy_import_map (collection, source_id, target_id, user_id, run_id) values ('users', ${u.sourceId}, ${userId}, ${userId}, ${runId})`,
  );
  for (const w of u.walletIds) {
    await tx.execute(
      sql`insert into legacy_import_map (collection, source_id, target_id, user_id, run_id) values ('wallets', ${w}, ${userId}, ${userId}, ${runId})`,
    );
  }
  if (u.balances.length > 0) {
    await openingBalances(tx, {
      reference: userReference(u.sourceId),
      userId,
      amounts: u.balances.map((b) => ({ asset: b.asset, amount: b.amount })),
      memo: { legacyImport: runId, roundings: u.roundings.map((r) => ({ asset: r.asset, source: r.source, delta: r.delta })) },
    });
  }
  // Oldest first, so the history's newest-first order (by id) follows the original's dates.
  for (let i = 0; i < history.length; i += 200) {
    const chunk = history.slice(i, i + 200);
    await tx.execute(sql`insert into legacy_history (user_id, collection, source_id, type, asset, amount, reference, description, occurred_at)
      values ${sql.join(
        chunk.map(
          (h) =>
            sql`(${userId}, ${h.collection}, ${h.sourceId}, ${h.type}, ${h.asset}, ${h.amount}::numeric, ${h.reference}, ${h.description}, ${h.occurredAt.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      )}`);
  }
  // Orders as read-only order history (never open: legacy_orders has no such status, and the engine reads `orders`).
  for (let i = 0; i < orders.length; i += 200) {
    const chunk = orders.slice(i, i + 200);
    const ids = await rows<{ id: string; source_id: string }>(
      tx,
      sql`insert into legacy_orders (user_id, source_id, symbol, side, type, original_type, status, original_status, time_in_force, price,
          trigger_price, amount, filled, cost, average, fee_cost, fee_currency, created_at, updated_at)
        values ${sql.join(
          chunk.map(
            (o) => sql`(${userId}, ${o.sourceId}, ${o.symbol}, ${o.side}, ${o.type}, ${o.originalType}, ${o.status}, ${o.originalStatus}, ${o.timeInForce},
              ${o.price}::numeric, ${o.triggerPrice}::numeric, ${o.amount}::numeric, ${o.filled}::numeric, ${o.cost}::numeric, ${o.average}::numeric,
              ${o.feeCost}::numeric, ${o.feeCurrency}, ${o.createdAt.toISOString()}::timestamptz, ${o.updatedAt.toISOString()}::timestamptz)`,
          ),
          sql`, `,
        )}
        returning id::text as id, source_id`,
    );
    await tx.execute(sql`insert into legacy_import_map (collection, source_id, target_id, user_id, run_id)
      values ${sql.join(
        ids.map((r) => sql`('orders', ${r.source_id}, ${r.id}, ${userId}, ${runId})`),
        sql`, `,
      )}`);
  }
  // Through the alerts module's own insert; more active alerts than CryptoVault allows are imported paused.
  let active = 0;
  for (const a of alerts) {
    const on = a.active && active < MAX_ACTIVE_ALERTS;
    if (on) active++;
    const row = await insertAlert(tx, {
      userId,
      assetId: a.assetId,
      condition: a.condition,
      targetPrice: a.targetPrice,
      channels: a.channels,
      active: on,
      triggerCount: a.triggeredAt ? 1 : 0,
      lastTriggeredAt: a.triggeredAt,
      lastTriggeredPrice: a.triggeredPrice,
      createdAt: a.createdAt,
    });
    await tx.execute(
      sql`insert into legacy_import_map (collection, source_id, target_id, user_id, run_id) values ('price_alerts', ${a.sourceId}, ${row.id}, ${userId}, ${runId})`,
    );
  }
  if (u.twoFactorReset) {
    await insertNotification(tx, {
      userId,
      type: 'security',
      title: 'Set up two-factor authentication again',
      body: 'Your account was moved to the new CryptoVault. Two-factor authentication could not be carried over: turn it on again in Settings → Security.',
      data: { legacyImport: true },
    });
  }
  await tx.execute(
    sql`update legacy_import_review set resolved_at = now() where resolved_at is null and collection in ('users', 'wallets') and source_id = ${u.sourceId}`,
  );
  return 'imported';
}
