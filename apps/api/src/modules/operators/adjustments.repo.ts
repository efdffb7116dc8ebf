import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { rows } from '../../platform/db/sql.ts';

/** A row of balance_adjustments (migration 0025); this module is its only reader and writer. */
export interface AdjustmentRow {
  id: string;
  userId: string;
  asset: string;
  amount: string;
  reason: string;
  evidence: string;
  status: 'pending' | 'posted' | 'rejected';
  proposedBy: string;
  proposedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  rejectReason: string | null;
  entryId: string | null;
}

const columns = sql`id::text as "id", user_id::text as "userId", asset, amount::text as amount, reason, evidence, status,
  proposed_by::text as "proposedBy", proposed_at as "proposedAt", decided_by::text as "decidedBy", decided_at as "decidedAt",
  reject_reason as "rejectReason", entry_id::text as "entryId"`;

/** Dates come back as strings from some drivers: one shape for the service. */
function normalize(r: AdjustmentRow): AdjustmentRow {
  return {
    ...r,
    proposedAt: new Date(r.proposedAt),
    decidedAt: r.decidedAt === null ? null : new Date(r.decidedAt),
  };
}

export async function insertAdjustment(
  ex: Executor,
  v: { userId: string; asset: string; amount: string; reason: string; evidence: string; proposedBy: string },
): Promise<AdjustmentRow> {
  const [row] = await rows<AdjustmentRow>(
    ex,
    sql`insert into balance_adjustments (user_id, asset, amount, reason, evidence, proposed_by)
        values (${v.userId}::uuid, ${v.asset}, ${v.amount}::numeric, ${v.reason}, ${v.evidence}, ${v.proposedBy}::uuid)
        returning ${columns}`,
  );
  return normalize(row!);
}

export async function findAdjustment(ex: Executor, id: string, forUpdate = false): Promise<AdjustmentRow | null> {
  const [row] = await rows<AdjustmentRow>(ex, sql`select ${columns} from balance_adjustments where id = ${id}::uuid ${forUpdate ? sql`for update` : sql``}`);
  return row ? normalize(row) : null;
}

export async function markPosted(ex: Executor, id: string, decidedBy: string, entryId: string): Promise<AdjustmentRow> {
  const [row] = await rows<AdjustmentRow>(
    ex,
    sql`update balance_adjustments set status = 'posted', decided_by = ${decidedBy}::uuid, decided_at = now(), entry_id = ${entryId}::bigint
        where id = ${id}::uuid and status = 'pending' returning ${columns}`,
  );
  if (!row) throw new Error(`adjustment ${id} was not pending under its lock`);
  return normalize(row);
}

export async function markRejected(ex: Executor, id: string, decidedBy: string, reason: string): Promise<AdjustmentRow> {
  const [row] = await rows<AdjustmentRow>(
    ex,
    sql`update balance_adjustments set status = 'rejected', decided_by = ${decidedBy}::uuid, decided_at = now(), reject_reason = ${reason}
        where id = ${id}::uuid and status = 'pending' returning ${columns}`,
  );
  if (!row) throw new Error(`adjustment ${id} was not pending under its lock`);
  return normalize(row);
}

/**
 * One page (limit + 1 rows) by status: the pending queue oldest first (first come, first checked), the decided
 * ones newest first; keyset over (proposed_at, id).
 */
export async function listAdjustments(
  ex: Executor,
  status: 'pending' | 'posted' | 'rejected' | 'any',
  limit: number,
  cursor: Cursor | null,
): Promise<AdjustmentRow[]> {
  const asc = status === 'pending';
  const where = [status === 'any' ? sql`true` : sql`status = ${status}`];
  if (cursor) {
    where.push(
      asc
        ? sql`(proposed_at, id) > (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
        : sql`(proposed_at, id) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const found = await rows<AdjustmentRow>(
    ex,
    sql`select ${columns} from balance_adjustments where ${sql.join(where, sql` and `)}
        order by proposed_at ${asc ? sql`asc` : sql`desc`}, id ${asc ? sql`asc` : sql`desc`} limit ${limit + 1}`,
  );
  return found.map(normalize);
}
