import { and, asc, count, desc, eq, inArray, lt, max, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { type SupportMessageRow, type SupportTicketRow, supportMessages, supportTickets } from './support.schema.ts';

export type NewTicket = typeof supportTickets.$inferInsert;
export type TicketChanges = Partial<Pick<SupportTicketRow, 'status' | 'assignedTo' | 'waitingSince' | 'closedAt' | 'closedBy'> & { updatedAt: Date | SQL }>;

export async function insertTicket(ex: Executor, values: NewTicket): Promise<SupportTicketRow> {
  const [row] = await ex.insert(supportTickets).values(values).returning();
  return row!;
}

export async function insertMessage(
  ex: Executor,
  values: { ticketId: string; author: 'user' | 'operator'; authorId: string | null; internal?: boolean; body: string },
): Promise<SupportMessageRow> {
  const [row] = await ex.insert(supportMessages).values(values).returning();
  return row!;
}

/** The ticket, locked for the caller's transaction when `forUpdate`; `userId` limits it to its owner's. */
export async function findTicket(ex: Executor, id: string, opts: { userId?: string; forUpdate?: boolean } = {}): Promise<SupportTicketRow | null> {
  const where = opts.userId ? and(eq(supportTickets.id, id), eq(supportTickets.userId, opts.userId)) : eq(supportTickets.id, id);
  const q = ex.select().from(supportTickets).where(where);
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row ?? null;
}

export async function updateTicket(ex: Executor, id: string, changes: TicketChanges): Promise<SupportTicketRow> {
  const [row] = await ex
    .update(supportTickets)
    .set({ updatedAt: sql`now()`, ...changes })
    .where(eq(supportTickets.id, id))
    .returning();
  return row!;
}

/** The thread in order; operators' internal notes only when asked for. */
export async function messagesOf(ex: Executor, ticketId: string, opts: { includeInternal: boolean }): Promise<SupportMessageRow[]> {
  const where = opts.includeInternal
    ? eq(supportMessages.ticketId, ticketId)
    : and(eq(supportMessages.ticketId, ticketId), eq(supportMessages.internal, false));
  return ex.select().from(supportMessages).where(where).orderBy(asc(supportMessages.createdAt), asc(supportMessages.id));
}

export interface MessageStats {
  count: number;
  last: Date;
}

/** Per ticket: how many messages the user can see, and when the last one was written. */
export async function messageStats(ex: Executor, ticketIds: readonly string[]): Promise<Map<string, MessageStats>> {
  if (ticketIds.length === 0) return new Map();
  const found = await ex
    .select({ ticketId: supportMessages.ticketId, n: count(), last: max(supportMessages.createdAt) })
    .from(supportMessages)
    .where(and(inArray(supportMessages.ticketId, [...ticketIds]), eq(supportMessages.internal, false)))
    .groupBy(supportMessages.ticketId);
  return new Map(found.map((r) => [r.ticketId, { count: Number(r.n), last: r.last ?? new Date(0) }]));
}

export interface SortKey {
  at: Date;
  id: string;
}

/** A user's tickets, most recently changed first, keyset-paged on (updated_at, id) (limit + 1 rows). */
export async function listUserTickets(ex: Executor, userId: string, limit: number, cursor: SortKey | null): Promise<SupportTicketRow[]> {
  const conds: (SQL | undefined)[] = [eq(supportTickets.userId, userId)];
  if (cursor) conds.push(or(lt(supportTickets.updatedAt, cursor.at), and(eq(supportTickets.updatedAt, cursor.at), lt(supportTickets.id, cursor.id))));
  return ex
    .select()
    .from(supportTickets)
    .where(and(...conds))
    .orderBy(desc(supportTickets.updatedAt), desc(supportTickets.id))
    .limit(limit + 1);
}

export type QueueFilter = 'waiting' | 'open' | 'waiting_on_user' | 'answered' | 'closed' | 'all';

/** The sort key of a queue row: the waiting queue by waiting time (oldest first), the others by last change. */
export function queueKey(filter: QueueFilter, row: SupportTicketRow): SortKey {
  return { at: filter === 'waiting' ? (row.waitingSince ?? row.createdAt) : row.updatedAt, id: row.id };
}

/**
 * The operator queue. `waiting`: open tickets, the one waiting longest first (waiting_since, then created_at);
 * any other filter: newest change first. Keyset-paged on the sort key and id (limit + 1 rows).
 */
export async function listQueue(
  ex: Executor,
  q: { filter: QueueFilter; assignedTo: string | null; limit: number; cursor: SortKey | null },
): Promise<SupportTicketRow[]> {
  const t = supportTickets;
  const conds: (SQL | undefined)[] = [];
  if (q.filter === 'waiting') conds.push(eq(t.status, 'open'));
  else if (q.filter !== 'all') conds.push(eq(t.status, q.filter));
  if (q.assignedTo) conds.push(eq(t.assignedTo, q.assignedTo));
  if (q.filter === 'waiting') {
    const key = sql`coalesce(${t.waitingSince}, ${t.createdAt})`;
    if (q.cursor) conds.push(sql`(${key}, ${t.id}) > (${q.cursor.at.toISOString()}::timestamptz, ${q.cursor.id}::uuid)`);
    return ex
      .select()
      .from(t)
      .where(and(...conds))
      .orderBy(asc(key), asc(t.id))
      .limit(q.limit + 1);
  }
  if (q.cursor) conds.push(or(lt(t.updatedAt, q.cursor.at), and(eq(t.updatedAt, q.cursor.at), lt(t.id, q.cursor.id))));
  return ex
    .select()
    .from(t)
    .where(and(...conds))
    .orderBy(desc(t.updatedAt), desc(t.id))
    .limit(q.limit + 1);
}

/** Open tickets nobody has answered (for the console's overview). */
export async function countWaiting(ex: Executor): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(supportTickets).where(eq(supportTickets.status, 'open'));
  return Number(row?.n ?? 0);
}
