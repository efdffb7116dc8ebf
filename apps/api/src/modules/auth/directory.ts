import { and, desc, eq, ilike, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Cursor } from '../../platform/db/paging.ts';
import { type UserRow, users } from './users.schema.ts';

/**
 * The users directory: what other modules may read (and the few account states they may set) about users. The
 * `users` table belongs to auth; no other module queries it. Every function takes an executor so a caller can
 * run it inside its own transaction.
 */

/** Who to write to: a user's email address and name. */
export interface Contact {
  id: string;
  email: string;
  name: string;
}

const contactColumns = { id: users.id, email: users.email, name: users.name };

export async function contactOf(ex: Executor, userId: string): Promise<Contact | null> {
  const [row] = await ex.select(contactColumns).from(users).where(eq(users.id, userId));
  return row ?? null;
}

/** Contacts of several users at once, by id (unknown ids are absent from the map). */
export async function contactsOf(ex: Executor, userIds: readonly string[]): Promise<Map<string, Contact>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const found = await ex.select(contactColumns).from(users).where(inArray(users.id, ids));
  return new Map(found.map((c) => [c.id, c]));
}

/** A user found by email address (stored lower-case), with what decides whether they can receive money. */
export async function accountByEmail(
  ex: Executor,
  email: string,
): Promise<{ id: string; email: string; name: string; verifiedAt: Date | null; suspendedAt: Date | null } | null> {
  const [u] = await ex
    .select({ ...contactColumns, verifiedAt: users.emailVerifiedAt, suspendedAt: users.suspendedAt })
    .from(users)
    .where(eq(users.email, email));
  return u ?? null;
}

/** When the user was frozen (null when not), holding a share lock on the user row until the caller's commit. */
export async function frozenAtForShare(ex: Executor, userId: string): Promise<Date | null> {
  const [row] = await ex.select({ frozenAt: users.frozenAt }).from(users).where(eq(users.id, userId)).for('share');
  return row?.frozenAt ?? null;
}

/** Sets or clears the freeze; returns the user's email when the state changed. */
export async function setFrozen(ex: Executor, userId: string, frozen: boolean, reason: string | null): Promise<{ email: string } | null> {
  const changed = await ex
    .update(users)
    .set(frozen ? { frozenAt: sql`now()`, frozenReason: reason, updatedAt: sql`now()` } : { frozenAt: null, frozenReason: null, updatedAt: sql`now()` })
    .where(and(eq(users.id, userId), frozen ? isNull(users.frozenAt) : sql`${users.frozenAt} is not null`))
    .returning({ email: users.email });
  return changed[0] ?? null;
}

/** Admin search by email, name or id, newest first, keyset-paged (limit + 1 rows). */
export async function searchUsers(ex: Executor, q: string | undefined, limit: number, cursor: Cursor | null): Promise<UserRow[]> {
  const conds: (SQL | undefined)[] = [];
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(ilike(users.email, like), ilike(users.name, like), sql`${users.id}::text = ${q}`));
  }
  if (cursor) conds.push(or(lt(users.createdAt, cursor.createdAt), and(eq(users.createdAt, cursor.createdAt), lt(users.id, cursor.id))));
  return ex
    .select()
    .from(users)
    .where(and(...conds))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1);
}

export async function setSuspended(ex: Executor, id: string, suspended: boolean): Promise<UserRow | null> {
  const [u] = await ex
    .update(users)
    .set({ suspendedAt: suspended ? sql`coalesce(${users.suspendedAt}, now())` : null, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return u ?? null;
}
