import { and, asc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { type TelegramLinkRow, type TelegramOutboxRow, telegramLinkCodes, telegramLinks, telegramOutbox } from './telegram.schema.ts';

export async function insertLinkCode(ex: Executor, v: { userId: string; codeHash: string; ttlSeconds: number }): Promise<Date> {
  // One live code per operator: a new one voids the earlier ones.
  await ex.delete(telegramLinkCodes).where(and(eq(telegramLinkCodes.userId, v.userId), isNull(telegramLinkCodes.usedAt)));
  const [row] = await ex
    .insert(telegramLinkCodes)
    .values({ userId: v.userId, codeHash: v.codeHash, expiresAt: sql`now() + make_interval(secs => ${v.ttlSeconds})` })
    .returning({ expiresAt: telegramLinkCodes.expiresAt });
  return row!.expiresAt;
}

/** Uses the code when it is live (unused, unexpired): single use under races. The operator it belongs to, or null. */
export async function consumeLinkCode(ex: Executor, codeHash: string): Promise<string | null> {
  const [row] = await ex
    .update(telegramLinkCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(telegramLinkCodes.codeHash, codeHash), isNull(telegramLinkCodes.usedAt), gt(telegramLinkCodes.expiresAt, sql`now()`)))
    .returning({ userId: telegramLinkCodes.userId });
  return row?.userId ?? null;
}

/** Links the chat to the operator, replacing the operator's earlier chat and any other operator's claim on this chat. */
export async function upsertLink(
  ex: Executor,
  v: { userId: string; chatId: number; telegramUserId: number; username: string | null },
): Promise<TelegramLinkRow> {
  await ex.delete(telegramLinks).where(eq(telegramLinks.chatId, v.chatId));
  const [row] = await ex
    .insert(telegramLinks)
    .values({ userId: v.userId, chatId: v.chatId, telegramUserId: v.telegramUserId, telegramUsername: v.username })
    .onConflictDoUpdate({
      target: telegramLinks.userId,
      set: { chatId: v.chatId, telegramUserId: v.telegramUserId, telegramUsername: v.username, linkedAt: sql`now()` },
    })
    .returning();
  return row!;
}

export async function deleteLink(ex: Executor, userId: string): Promise<TelegramLinkRow | null> {
  const [row] = await ex.delete(telegramLinks).where(eq(telegramLinks.userId, userId)).returning();
  return row ?? null;
}

export async function linkOfUser(ex: Executor, userId: string): Promise<TelegramLinkRow | null> {
  const [row] = await ex.select().from(telegramLinks).where(eq(telegramLinks.userId, userId));
  return row ?? null;
}

export async function linkOfChat(ex: Executor, chatId: number): Promise<TelegramLinkRow | null> {
  const [row] = await ex.select().from(telegramLinks).where(eq(telegramLinks.chatId, chatId));
  return row ?? null;
}

export async function linkedChats(ex: Executor): Promise<TelegramLinkRow[]> {
  return ex.select().from(telegramLinks).orderBy(asc(telegramLinks.linkedAt));
}

export interface NewAlert {
  chatId: number;
  kind: string;
  dedupeKey: string;
  body: string;
  replyMarkup: Record<string, unknown> | null;
}

/** Queues alerts; an alert already queued for a chat (same dedupe key) is not queued again. */
export async function enqueue(ex: Executor, alerts: NewAlert[]): Promise<number> {
  if (alerts.length === 0) return 0;
  const out = await ex.insert(telegramOutbox).values(alerts).onConflictDoNothing().returning({ id: telegramOutbox.id });
  return out.length;
}

/**
 * Claims up to `limit` due alerts for this machine: they are pushed `leaseSeconds` into the future (so another machine
 * or a crash leaves them for later, never sent twice at once) and counted as an attempt.
 */
export async function claimDue(ex: Executor, limit: number, leaseSeconds: number, maxAttempts: number): Promise<TelegramOutboxRow[]> {
  const claimed = await rows<{ id: string | number }>(
    ex,
    sql`update telegram_outbox set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
        where id in (
          select id from telegram_outbox
          where sent_at is null and next_attempt_at <= now() and attempts < ${maxAttempts}
          order by id limit ${limit} for update skip locked)
        returning id`,
  );
  if (claimed.length === 0) return [];
  return ex
    .select()
    .from(telegramOutbox)
    .where(
      inArray(
        telegramOutbox.id,
        claimed.map((r) => Number(r.id)),
      ),
    )
    .orderBy(asc(telegramOutbox.id));
}

export async function markSent(ex: Executor, id: number): Promise<void> {
  await ex.update(telegramOutbox).set({ sentAt: sql`now()`, lastError: null }).where(eq(telegramOutbox.id, id));
}

export async function markFailed(ex: Executor, id: number, error: string, retryInSeconds: number | null): Promise<void> {
  await ex
    .update(telegramOutbox)
    .set({
      lastError: error.slice(0, 300),
      // null: give up (Telegram refused for good, e.g. the operator blocked the bot).
      nextAttemptAt: retryInSeconds === null ? sql`'infinity'::timestamptz` : sql`now() + make_interval(secs => ${retryInSeconds})`,
    })
    .where(eq(telegramOutbox.id, id));
}

/** Sent alerts older than `days` (the outbox is not an archive: the audit log is). */
export async function pruneSent(ex: Executor, days: number): Promise<void> {
  await ex.delete(telegramOutbox).where(lte(telegramOutbox.sentAt, sql`now() - make_interval(days => ${days})`));
}

/** Tests and the status line: what is queued for a chat. */
export async function outboxFor(ex: Executor, chatId: number): Promise<TelegramOutboxRow[]> {
  return ex.select().from(telegramOutbox).where(eq(telegramOutbox.chatId, chatId)).orderBy(asc(telegramOutbox.id));
}

export async function linkOfTelegramUser(ex: Executor, telegramUserId: number): Promise<TelegramLinkRow | null> {
  const [row] = await ex.select().from(telegramLinks).where(eq(telegramLinks.telegramUserId, telegramUserId));
  return row ?? null;
}
