import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { usingPostgres } from '../../../test/helpers.ts';
import { wrapPgPool } from './client.ts';

describe.skipIf(!usingPostgres)('PostgreSQL pool', () => {
  it('closes within its grace period even with a query that will not finish, which it cuts', async () => {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    const database = wrapPgPool(pool, { closeGraceMs: 300 });
    await database.ping();
    const stuck = database.db.execute(sql`select pg_sleep(30)`).then(
      () => 'finished',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await database.close();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await stuck).toBe('cut');
  });

  it('closes at once when nothing is checked out', async () => {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    const database = wrapPgPool(pool, { closeGraceMs: 10_000 });
    await database.ping();
    const t0 = Date.now();
    await database.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
