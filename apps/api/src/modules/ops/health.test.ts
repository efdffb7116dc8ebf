import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext, usingPostgres } from '../../../test/helpers.ts';
import { freePort } from '../../../test/deploy/server-process.ts';
import { createDatabase, type Database, wrapPglite } from '../../platform/db/client.ts';
import { readMigrations, runMigrations } from '../../platform/db/migrate.ts';

/**
 * Liveness and readiness in the three states a deployment meets: healthy, database down, database missing
 * migrations. On server PostgreSQL when DATABASE_URL is set (CI's second pass), on PGlite otherwise. Fly routes on
 * liveness only, so the last two must leave /health/live at 200 while /health and db_ready say "not ready".
 */

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

async function probe(t: TestContext) {
  const [live, health, metrics] = await Promise.all([
    t.app.inject({ method: 'GET', url: '/health/live' }),
    t.app.inject({ method: 'GET', url: '/health' }),
    t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' }),
  ]);
  return { live, health, db_ready: metric(metrics.body, 'db_ready'), pending: metric(metrics.body, 'db_migrations_pending') };
}

/** An empty database of its own: a fresh PostgreSQL database on the CI server, or a fresh in-memory PGlite. */
async function emptyDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await wrapPglite(await PGlite.create()), drop: async () => undefined };
  const name = `cv_health_${randomBytes(4).toString('hex')}`;
  const admin = await createDatabase({ database: { kind: 'postgres', url, poolSize: 1 } });
  await admin.exec(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    database: await createDatabase({ database: { kind: 'postgres', url: u.href, poolSize: 2 } }),
    async drop() {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

describe('health: a healthy, migrated database', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('is live and ready, with db_ready 1 and nothing pending', async () => {
    const p = await probe(t);
    expect(p.live.statusCode).toBe(200);
    expect(p.live.json()).toEqual({ status: 'ok' });
    expect(p.health.statusCode).toBe(200);
    expect(p.health.json().checks.database).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) });
    expect(p.health.json().checks.database.pending).toBeUndefined();
    expect(p.db_ready).toBe(1);
    expect(p.pending).toBe(0);
  });

  it('stops being live while draining (503), so Fly routes new connections elsewhere', async () => {
    t.platform.draining = true;
    try {
      const live = await t.app.inject({ method: 'GET', url: '/health/live' });
      expect(live.statusCode).toBe(503);
      expect(live.json()).toEqual({ status: 'draining' });
    } finally {
      t.platform.draining = false;
    }
  });
});

describe(`health: the database down (${usingPostgres ? 'PostgreSQL on a port nobody listens on' : 'PGlite closed'})`, () => {
  let t: TestContext;
  beforeAll(async () => {
    if (usingPostgres) {
      const port = await freePort();
      const database = await createDatabase({ database: { kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/nothing`, poolSize: 1 } });
      t = await createTestApp({}, { database });
    } else {
      t = await createTestApp({}, { ownDatabase: true });
      await t.platform.database.close();
    }
  });
  afterAll(async () => t?.close());

  it('stays live (Fly keeps routing market data and sockets) but is not ready: /health 503, db_ready 0', async () => {
    const p = await probe(t);
    expect(p.live.statusCode).toBe(200);
    expect(p.health.statusCode).toBe(503);
    expect(p.health.json()).toMatchObject({ status: 'down', checks: { database: { status: 'down', detail: expect.any(String) } } });
    expect(p.db_ready).toBe(0);
  });
});

describe('health: a database missing the newest migration', () => {
  let t: TestContext;
  let drop: () => Promise<void>;
  const files = readMigrations();
  const newest = files.at(-1)!.name;
  beforeAll(async () => {
    const empty = await emptyDatabase();
    drop = empty.drop;
    await runMigrations(empty.database, files.slice(0, -1));
    t = await createTestApp({}, { database: empty.database });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('is live but not ready, naming the migration to apply, until it is applied', async () => {
    const before = await probe(t);
    expect(before.live.statusCode).toBe(200);
    expect(before.health.statusCode).toBe(503);
    const database = before.health.json().checks.database;
    expect(database).toMatchObject({ status: 'down', pending: [newest] });
    expect(database.detail).toBe(`1 migration(s) not applied: ${newest} (run npm run db:migrate)`);
    expect(before.db_ready).toBe(0);
    expect(before.pending).toBe(1);

    // What the release_command does: afterwards the same process reports ready without a restart.
    expect(await runMigrations(t.platform.database, files)).toEqual([newest]);
    const after = await probe(t);
    expect(after.health.statusCode).toBe(200);
    expect(after.db_ready).toBe(1);
    expect(after.pending).toBe(0);
  });

  it('counts a database without any migration as missing all of them', async () => {
    const empty = await emptyDatabase();
    const own = await createTestApp({}, { database: empty.database });
    try {
      const p = await probe(own);
      expect(p.health.json().checks.database.pending).toHaveLength(files.length);
      expect(p.pending).toBe(files.length);
    } finally {
      await own.close();
      await empty.drop();
    }
  }, 60_000);
});
