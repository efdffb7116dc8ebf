import { describe, expect, it } from 'vitest';
import { openTestDatabase, usingPostgres } from '../../../test/helpers.ts';
import { readMigrations, runMigrations } from './migrate.ts';

describe(`migrations on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('are already applied by global setup, and re-running applies nothing', async () => {
    const db = await openTestDatabase();
    try {
      expect(await runMigrations(db)).toEqual([]);
      const rows = (await db.db.execute('select name from schema_migrations order by name')) as unknown as { rows: { name: string }[] };
      expect(rows.rows.map((r) => r.name)).toEqual(readMigrations().map((m) => m.name));
    } finally {
      await db.close();
    }
  });

  it('refuse a migration that was edited after it was applied', async () => {
    const db = await openTestDatabase();
    try {
      const files = readMigrations();
      const tampered = files.map((f, i) => (i === 0 ? { ...f, checksum: 'edited' } : f));
      await expect(runMigrations(db, tampered)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it('roll back a failing migration whole', async () => {
    const db = await openTestDatabase();
    const name = `9999_broken_${Date.now()}.sql`;
    try {
      const broken = { name, checksum: 'x', sql: `create table broken_${Date.now()} (id int); select * from no_such_table;` };
      await expect(runMigrations(db, [...readMigrations(), broken])).rejects.toThrow(/failed/);
      const rows = (await db.db.execute(`select count(*)::int as n from schema_migrations where name = '${name}'`)) as unknown as { rows: { n: number }[] };
      expect(rows.rows[0]?.n).toBe(0);
      const tables = (await db.db.execute(`select count(*)::int as n from information_schema.tables where table_name like 'broken_%'`)) as unknown as {
        rows: { n: number }[];
      };
      expect(tables.rows[0]?.n).toBe(0);
    } finally {
      await db.close();
    }
  });
});
