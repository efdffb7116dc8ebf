import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { pgError } from '../db/pg-error.ts';
import { AppError } from '../errors.ts';
import { idempotencyKeys } from './idempotency.schema.ts';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  /** true when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

const KEY_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function parseIdempotencyKey(header: unknown): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !KEY_RE.test(header)) {
    throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1-128 characters of [A-Za-z0-9_.:-]', [
      { path: ['headers', 'idempotency-key'], message: 'invalid' },
    ]);
  }
  return header;
}

export function hashRequest(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

export interface IdempotentRequest {
  userId: string;
  scope: string;
  key: string | null;
  body: unknown;
}

/**
 * The record of a request's answer, for a caller that writes it itself in the same statement or transaction as the
 * work (orders: LedgerWriter.submit). Its primary key (user, scope, key) makes a concurrent request with the same
 * key wait until the first commits, then fail with a unique violation: `storedAnswer` then finds the first answer.
 */
export function idempotencyRecord(
  request: IdempotentRequest & { key: string },
  response: { status: number; body: unknown },
  createdAt: Date,
): typeof idempotencyKeys.$inferInsert {
  return {
    userId: request.userId,
    scope: request.scope,
    key: request.key,
    requestHash: hashRequest(request.body),
    responseStatus: response.status,
    responseBody: response.body,
    createdAt,
  };
}

/**
 * After the work of a keyed request failed (`cause`): the stored answer of the key's first request, to replay, when
 * there is one; IDEMPOTENCY_MISMATCH when that request had a different body; CONFLICT (retry shortly) when the key
 * was taken by a request that has left no answer; null when the key is new (the failure is this request's own).
 */
export async function storedAnswer<T>(db: Db, request: IdempotentRequest, cause: unknown): Promise<IdempotentResult<T> | null> {
  if (!request.key) return null;
  const [prior] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, request.userId), eq(idempotencyKeys.scope, request.scope), eq(idempotencyKeys.key, request.key)));
  if (prior) {
    if (prior.requestHash !== hashRequest(request.body)) {
      throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was already used with a different request body');
    }
    return { status: prior.responseStatus, body: prior.responseBody as T, replayed: true };
  }
  const pg = pgError(cause);
  if (pg.code === '23505' && pg.constraint === 'idempotency_keys_pkey') {
    throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry shortly');
  }
  return null;
}

/**
 * Runs `fn` at most once per (user, scope, key). The key row is inserted in the same transaction as the work,
 * so a concurrent request with the same key waits on the unique index until the first commits, then reads the
 * stored answer; if the first fails, nothing is stored and the key can be retried.
 */
export async function runIdempotent<T>(
  db: Db,
  opts: { userId: string; scope: string; key: string | null; body: unknown },
  fn: (tx: Tx) => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (!opts.key) {
    const r = await db.transaction(fn);
    return { ...r, replayed: false };
  }
  const key = opts.key;
  const requestHash = hashRequest(opts.body);
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ userId: opts.userId, scope: opts.scope, key, requestHash, responseStatus: 0, responseBody: sql`'null'::jsonb` })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length === 0) {
      const [prior] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.scope, opts.scope), eq(idempotencyKeys.key, key)));
      if (!prior) throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry shortly');
      if (prior.requestHash !== requestHash) {
        throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was already used with a different request body');
      }
      return { status: prior.responseStatus, body: prior.responseBody as T, replayed: true };
    }
    const result = await fn(tx);
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: result.status, responseBody: result.body as object })
      .where(and(eq(idempotencyKeys.userId, opts.userId), eq(idempotencyKeys.scope, opts.scope), eq(idempotencyKeys.key, key)));
    return { ...result, replayed: false };
  });
}
