import type { SQL } from 'drizzle-orm';
import type { Executor } from './client.ts';

/** Runs a raw SQL query and returns its rows, typed by the caller. Raw rows from `execute` look the same on
 * node-postgres and PGlite: `{ rows }`. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Walks DrizzleQueryError → driver error to the PostgreSQL SQLSTATE and constraint. */
export function pgError(err: unknown): { code?: string; constraint?: string } {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) {
      return { code: o.code, constraint: typeof o.constraint === 'string' ? o.constraint : undefined };
    }
    e = o.cause;
  }
  return {};
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it for a reason a retry fixes (deadlock detected,
 * serialization failure): the aborted attempt wrote nothing. Business errors pass straight through.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = pgError(err).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw err;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 10));
    }
  }
}
