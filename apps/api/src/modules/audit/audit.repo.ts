import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type AuditRow, auditLog } from './audit.schema.ts';

export interface AuditEntry {
  /** The admin who acted; null for the command line (admin:create) and the system. */
  actorId: string | null;
  /** Dotted verb, e.g. `user.suspend`, `withdrawal.approve`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Appends one audit record. Pass the transaction that performs the action, so the action and its record commit
 * (or roll back) together.
 */
export async function recordAudit(executor: Executor, entry: AuditEntry): Promise<AuditRow> {
  const [row] = await executor
    .insert(auditLog)
    .values({
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      requestId: entry.requestId ?? null,
      details: entry.details ?? {},
    })
    .returning();
  return row!;
}

export interface AuditQuery {
  limit: number;
  /** Return entries older than this id (keyset pagination, newest first). */
  beforeId?: number;
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
}

/** Newest first. Fetches `limit + 1` rows so the caller can tell whether there is a next page. */
export async function listAudit(executor: Executor, q: AuditQuery): Promise<AuditRow[]> {
  const conds: SQL[] = [];
  if (q.beforeId !== undefined) conds.push(lt(auditLog.id, q.beforeId));
  if (q.actorId) conds.push(eq(auditLog.actorId, q.actorId));
  if (q.action) conds.push(eq(auditLog.action, q.action));
  if (q.targetType) conds.push(eq(auditLog.targetType, q.targetType));
  if (q.targetId) conds.push(eq(auditLog.targetId, q.targetId));
  return executor
    .select()
    .from(auditLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
}
