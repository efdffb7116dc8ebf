import { getTableName, is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../test/helpers.ts';
import * as schema from './schema.ts';

const tables: PgTable[] = Object.values(schema as Record<string, unknown>).filter((v): v is PgTable => is(v, PgTable));

describe('schema aggregate', () => {
  it('names every Drizzle table, and each table and column exists in the migrated database', async () => {
    expect(tables.length).toBeGreaterThanOrEqual(20);
    const db = await openTestDatabase();
    try {
      const res = (await db.db.execute("select table_name, column_name from information_schema.columns where table_schema = 'public'")) as unknown as {
        rows: { table_name: string; column_name: string }[];
      };
      const columns = new Set(res.rows.map((r) => `${r.table_name}.${r.column_name}`));
      const missing = tables.flatMap((t) => getTableConfig(t).columns.map((c) => `${getTableName(t)}.${c.name}`)).filter((c) => !columns.has(c));
      expect(missing).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
