import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testEnv, usingPostgres } from '../../../test/helpers.ts';
import { loadConfig } from '../../config.ts';
import { createDatabase, EMBEDDED_SHARED_BUFFERS, wrapPgPool } from './client.ts';
import { runMigrations } from './migrate.ts';

describe('embedded PostgreSQL (PGlite) settings', () => {
  it(`opens with shared_buffers = ${EMBEDDED_SHARED_BUFFERS}, not PostgreSQL's 128MB that each open zeroes`, async () => {
    const { config } = loadConfig({ ENVIRONMENT: 'test', DATA_DIR: ':memory:', LOG_LEVEL: 'silent' });
    const database = await createDatabase(config);
    try {
      const rows = await database.session((q) => q("select current_setting('shared_buffers') as value"));
      expect(rows.rows[0]?.value).toBe(EMBEDDED_SHARED_BUFFERS);
    } finally {
      await database.close();
    }
  });
});

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

describe.skipIf(!usingPostgres)('PostgreSQL timeouts (DB_STATEMENT_TIMEOUT_MS, DB_IDLE_IN_TRANSACTION_TIMEOUT_MS)', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const env = { DB_STATEMENT_TIMEOUT_MS: '200', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300' };

  it('defaults to 30 s per statement and 15 s idle in a transaction on every pooled connection', async () => {
    const { config } = loadConfig(testEnv());
    const database = await createDatabase(config);
    try {
      const shown = await database.session(async (q) => [
        (await q('show statement_timeout')).rows[0],
        (await q('show idle_in_transaction_session_timeout')).rows[0],
      ]);
      expect(shown).toEqual([{ statement_timeout: '30s' }, { idle_in_transaction_session_timeout: '15s' }]);
    } finally {
      await database.close();
    }
  });

  it('ends a statement that runs past the limit, and a transaction left idle past its limit', async () => {
    const database = await createDatabase(loadConfig(testEnv(env)).config);
    try {
      await expect(database.session((q) => q('select pg_sleep(2)'))).rejects.toMatchObject({ code: '57014' }); // query_canceled
      const idle = database.session(async (q) => {
        await q('begin');
        await sleep(1_000);
        return q('select 1');
      });
      await expect(idle).rejects.toThrow();
      expect((await database.session((q) => q('select 1 as ok'))).rows).toEqual([{ ok: 1 }]);
    } finally {
      await database.close();
    }
  });

  it('lets migrations run past the statement limit on their own session, and gives the limit back', async () => {
    const admin = await createDatabase(loadConfig(testEnv()).config);
    const name = `cv_timeouts_${Date.now().toString(36)}`;
    await admin.exec(`create database ${name}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const database = await createDatabase(loadConfig(testEnv({ ...env, DATABASE_URL: url.href, DB_POOL_SIZE: '1' })).config);
    try {
      const slow = { name: '0001_slow.sql', sql: 'select pg_sleep(0.5)', checksum: 'x' };
      expect(await runMigrations(database, [slow])).toEqual(['0001_slow.sql']);
      expect((await database.session((q) => q('show statement_timeout'))).rows).toEqual([{ statement_timeout: '200ms' }]);
    } finally {
      await database.close();
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  });
});
