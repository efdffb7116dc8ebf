import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import { inject } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { compose, type Root } from '../src/compose.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { createDatabase, type Database, wrapPglite } from '../src/platform/db/client.ts';
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
