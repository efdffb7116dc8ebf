import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import { afterAll, inject } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { compose, type Root } from '../src/compose.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createDatabase, type Database, wrapPglite } from '../src/platform/db/client.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';
import type { Cache } from '../src/platform/cache.ts';
import type { Platform } from '../src/platform/index.ts';
import { loggerOptions } from '../src/platform/logger.ts';
import type { Authenticator } from '../src/platform/principal.ts';
import type { TestPrices } from './prices.ts';

/** Environment for tests: ENVIRONMENT=test plus the real servers CI points us at (DATABASE_URL, REDIS_URL). */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ENVIRONMENT: 'test',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // inject() requests all come from 127.0.0.1: keep the global per-IP limit out of the way unless a test sets it.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...overrides,
  };
}

export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const usingRedis = Boolean(process.env.REDIS_URL);

let shared: Promise<Database> | null = null;

/** One migrated database per test file (PGlite copy of the template, or a pool on the CI server). */
export function sharedDatabase(): Promise<Database> {
  if (!shared) shared = openTestDatabase();
  return shared;
}

export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) return createDatabase({ database: { kind: 'postgres', url, poolSize: 8 } });
  const template = inject('pgliteTemplate');
  if (!template) throw new Error('no PGlite template: is global-setup.ts configured?');
  const client = await PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) });
  return wrapPglite(client);
}

/**
 * Gives this test file a database of its own as its shared one (what every createTestApp without `database` opens),
 * dropped after the file. Call it at the top of the file, before the hooks that create apps. Embedded, every file
 * has its own PGlite copy already; on the CI's PostgreSQL server it is for files whose apps' background work would
 * act on another file's rows or theirs on its own: a trading engine loads every open order at start-up and fills
 * it at its own prices; an order-event pass claims any file's events; a price tick fires any file's alerts.
 */
export function ownDatabaseForFile(prefix: string): void {
  if (!process.env.DATABASE_URL) return;
  const made = isolatedDatabase(prefix);
  shared = made.then((d) => d.database);
  // Registered before the file's own afterAll hooks, so it runs after them (vitest runs after-hooks as a stack).
  afterAll(async () => {
    await (await made).drop();
  });
}

/**
 * A database of the file's own, for tests whose data would disturb (or be disturbed by) the other files sharing
 * one database: a fresh PostgreSQL database on the CI server, dropped by `drop()`; its own PGlite copy otherwise.
 * `prefix` names it (`cv_legal_…`), so a left-over one says whose it was.
 */
export async function isolatedDatabase(prefix: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await openTestDatabase(), drop: async () => undefined };
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await createDatabase({ database: { kind: 'postgres', url, poolSize: 1 } });
  await admin.exec(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await createDatabase({ database: { kind: 'postgres', url: u.href, poolSize: 8 } });
  await runMigrations(database);
  return {
    database,
    async drop() {
      await database.close();
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

export interface TestContext {
  app: App;
  /** The composition root the app was built from (the trading engine, the authenticator, the price feed…). */
  root: Root;
  /** `root.platform`. */
  platform: Platform;
  config: Config;
  close(): Promise<void>;
}

/**
 * A real app on the shared test database. The database outlives the app (other tests in the file use it);
 * pass `ownDatabase: true` for a test that breaks or closes it, or `database` for one the test made itself
 * (closed with the app). `prices` and `authenticator` stand in for the feed's store and the accounts module's
 * authenticator (given to the composition root, compose.ts).
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  opts: {
    ownDatabase?: boolean;
    database?: Database;
    extraRoutes?: (app: App) => void;
    prices?: TestPrices;
    authenticator?: Authenticator;
    /** Without REDIS_URL: a cache shared with another test app, so that the two are two machines of one deployment. */
    cache?: Cache;
  } = {},
): Promise<TestContext> {
  const { config } = loadConfig(testEnv(env));
  const own = opts.ownDatabase || opts.database !== undefined;
  const database = opts.database ?? (opts.ownDatabase ? await openTestDatabase() : await sharedDatabase());
  // The server's own logger options (serializers, redaction), at the test's level.
  const log = pino(loggerOptions(config));
  const root = await compose(config, log, {
    database: own ? database : keepOpen(database),
    prices: opts.prices,
    authenticator: opts.authenticator,
    cache: opts.cache,
  });
  const { platform } = root;
  opts.prices?.connect(platform.events);
  const app = await buildApp(root);
  opts.extraRoutes?.(app);
  await app.ready();
  return {
    app,
    root,
    platform,
    config,
    async close() {
      await app.close();
      await platform.close();
    },
  };
}

function keepOpen(db: Database): Database {
  return { ...db, close: async () => undefined };
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}
