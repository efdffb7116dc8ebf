import { and, count, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { announcements, type NotificationRow, notifications } from './notifications.schema.ts';

export async function insertNotification(
  ex: Executor,
  v: { userId: string; type: string; title: string; body: string; data: Record<string, unknown> },
): Promise<NotificationRow> {
  const [row] = await ex.insert(notifications).values(v).returning();
  return row!;
}

export async function listNotifications(
  ex: Executor,
  userId: string,
  o: { limit: number; cursor: Cursor | null; unreadOnly: boolean },
): Promise<NotificationRow[]> {
  const conds: (SQL | undefined)[] = [eq(notifications.userId, userId)];
  if (o.unreadOnly) conds.push(isNull(notifications.readAt));
  if (o.cursor) {
    conds.push(or(lt(notifications.createdAt, o.cursor.createdAt), and(eq(notifications.createdAt, o.cursor.createdAt), lt(notifications.id, o.cursor.id))));
  }
  return ex
    .select()
    .from(notifications)
    .where(and(...conds))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(o.limit + 1);
}

export async function countUnread(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

export async function markRead(ex: Executor, userId: string, id: string): Promise<NotificationRow | null> {
  const [row] = await ex
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .returning();
  return row ?? null;
}

export async function markAllRead(ex: Executor, userId: string): Promise<number> {
  const rows = await ex
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function insertAnnouncement(ex: Executor, v: typeof announcements.$inferInsert) {
  const [row] = await ex.insert(announcements).values(v).returning();
  return row!;
}

export async function listAnnouncements(ex: Executor, limit: number) {
  return ex.select().from(announcements).orderBy(desc(announcements.createdAt)).limit(limit);
}
