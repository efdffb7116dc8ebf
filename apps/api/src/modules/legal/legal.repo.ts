import { and, desc, eq, lte, max, sql } from 'drizzle-orm';
import type { LegalKind } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { type LegalDocumentRow, legalDocuments, termsAcceptances } from './legal.schema.ts';

/** The version of `kind` in force: the newest whose effective date has passed. */
export async function currentDocument(ex: Executor, kind: LegalKind): Promise<LegalDocumentRow | null> {
  const [row] = await ex
    .select()
    .from(legalDocuments)
    .where(and(eq(legalDocuments.kind, kind), lte(legalDocuments.effectiveAt, sql`now()`)))
    .orderBy(desc(legalDocuments.version))
    .limit(1);
  return row ?? null;
}

export async function documentVersion(ex: Executor, kind: LegalKind, version: number): Promise<LegalDocumentRow | null> {
  const [row] = await ex
    .select()
    .from(legalDocuments)
    .where(and(eq(legalDocuments.kind, kind), eq(legalDocuments.version, version)))
    .limit(1);
  return row ?? null;
}

/** Every version (bodies included when `withBody`), newest first; one kind or all. */
export async function listVersions(ex: Executor, kind?: LegalKind): Promise<LegalDocumentRow[]> {
  const q = ex.select().from(legalDocuments);
  return (kind ? q.where(eq(legalDocuments.kind, kind)) : q).orderBy(legalDocuments.kind, desc(legalDocuments.version));
}

/**
 * Appends the next version of `kind`. The (kind, version) unique key makes two concurrent publishes of one kind
 * fail one of them rather than share a number; the caller's transaction holds an advisory lock to queue them.
 */
export async function insertVersion(
  ex: Executor,
  v: { kind: LegalKind; title: string; body: string; effectiveAt: Date; publishedBy: string },
): Promise<LegalDocumentRow> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtext(${`legal:${v.kind}`}))`);
  const [last] = await ex
    .select({ v: max(legalDocuments.version) })
    .from(legalDocuments)
    .where(eq(legalDocuments.kind, v.kind));
  const [row] = await ex
    .insert(legalDocuments)
    .values({ ...v, version: (last?.v ?? 0) + 1 })
    .returning();
  return row!;
}

export async function latestAcceptance(ex: Executor, userId: string): Promise<{ version: number; acceptedAt: Date } | null> {
  const [row] = await ex
    .select({ version: termsAcceptances.version, acceptedAt: termsAcceptances.acceptedAt })
    .from(termsAcceptances)
    .where(eq(termsAcceptances.userId, userId))
    .orderBy(desc(termsAcceptances.version))
    .limit(1);
  return row ?? null;
}

/** Records an acceptance; accepting a version twice keeps the first record. */
export async function insertAcceptance(ex: Executor, v: { userId: string; version: number; ip: string | null }): Promise<void> {
  await ex.insert(termsAcceptances).values(v).onConflictDoNothing();
}
