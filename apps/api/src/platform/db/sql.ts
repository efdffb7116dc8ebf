import type { SQL } from 'drizzle-orm';
import type { Executor } from './client.ts';
import { pgError } from './pg-error.ts';

export { pgError };

/** Runs a raw SQL query and returns its rows, typed by the caller. Raw rows from `execute` look the same on
 * node-postgres and PGlite: `{ rows }`. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
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
