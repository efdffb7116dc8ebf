import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { trackCommits } from './commits.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';

/**
 * No schema is given to Drizzle: repos name their tables (modules/x/x.schema.ts) and nothing uses the relational
 * `db.query` API, so platform/ stays free of the modules (the aggregate is src/schema.ts).
 */
type NoSchema = Record<string, never>;
export type Db = PgDatabase<PgQueryResultHKT, NoSchema>;
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
/** Repos accept either the database or the caller's transaction. */
export type Executor = Db | Tx;

export type SessionQuery = (sqlText: string) => Promise<{ rows: Record<string, unknown>[] }>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Runs a script of one or more statements without parameters (migrations). */
  exec(sqlText: string): Promise<void>;
  /** Runs `fn` on one dedicated connection (session-level locks, migrations). */
  session<T>(fn: (query: SessionQuery) => Promise<T>): Promise<T>;
  /** A cheap round trip with a deadline, for health checks. */
  ping(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** PGlite (WebAssembly PostgreSQL) is only loaded in embedded mode: it costs start-up time otherwise. */
export async function wrapPglite(client: PGlite, afterClose?: () => void): Promise<Database> {
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const db = trackCommits(drizzlePglite({ client }) as unknown as Db);
  let closed = false;
  return {
    kind: 'pglite',
    db,
    async exec(sqlText) {
      await client.exec(sqlText);
    },
    session(fn) {
      return fn(async (text) => {
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
      });
    },
    async ping(timeoutMs = 2000) {
      if (closed || client.closed) throw new Error('database closed');
      const t0 = performance.now();
      await withDeadline(client.query('select 1'), timeoutMs, 'database ping');
      return performance.now() - t0;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        afterClose?.();
      }
    },
  };
}

/** How long closing waits for checked-out connections before cutting them. */
export const POOL_CLOSE_GRACE_MS = 5_000;

/**
 * pool.end() waits for every checked-out client to come back. A query that never settles (a server that vanished
 * mid-query during a restart, a runaway statement) would hold shutdown until SHUTDOWN_TIMEOUT_MS forces an exit;
 * after the grace period the remaining connections are destroyed, which rejects their queries and lets end() finish.
 */
async function endPool(pool: pg.Pool, graceMs: number, log?: Logger): Promise<void> {
  const ended = pool.end();
  const timedOut = Symbol('timeout');
  const first = await Promise.race([ended, new Promise((r) => setTimeout(r, graceMs, timedOut).unref())]);
  if (first !== timedOut) return;
  // pg-pool keeps its clients in a private list; each client's socket is `connection.stream`.
  const clients = (pool as unknown as { _clients?: { connection?: { stream?: { destroy(): void } } }[] })._clients ?? [];
  log?.warn({ clients: clients.length, graceMs }, 'postgres connections still busy at close: cutting them');
  for (const c of clients) c.connection?.stream?.destroy();
  await Promise.race([ended, new Promise((r) => setTimeout(r, 1_000).unref())]);
}

export function wrapPgPool(pool: pg.Pool, opts: { closeGraceMs?: number; log?: Logger } = {}): Database {
  const db = trackCommits(drizzlePg({ client: pool }) as unknown as Db);
  let closed = false;
  return {
    kind: 'postgres',
    db,
    async exec(sqlText) {
      await pool.query(sqlText);
    },
    async session(fn) {
      const conn = await pool.connect();
      try {
        return await fn(async (text) => {
          const res = (await conn.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
          const last = Array.isArray(res) ? res.at(-1) : res;
          return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
        });
      } finally {
        conn.release();
      }
    },
    async ping(timeoutMs = 2000) {
      const t0 = performance.now();
      await withDeadline(pool.query('select 1'), timeoutMs, 'database ping');
      return performance.now() - t0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await endPool(pool, opts.closeGraceMs ?? POOL_CLOSE_GRACE_MS, opts.log);
    },
  };
}

/**
 * PostgreSQL's default of 128MB is zeroed by WebAssembly `memset` at every open of the embedded database: about
 * 0.3 s of every restart (docs/performance.md, "Restart"). The embedded database holds a developer's data,
 * tens of MB at most, and every test app opens one: 16MB is plenty for both.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** `command` names this process in the embedded directory's lock file (what a refused second process is told). */
export async function createDatabase(config: Pick<Config, 'database'>, log?: Logger, command = 'the CryptoVault server'): Promise<Database> {
  if (config.database.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.database.url,
      max: config.database.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'cryptovault-api',
      // Sent as startup parameters: every connection of the pool carries them (PGlite has no equivalent setting).
      statement_timeout: config.database.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: config.database.idleInTransactionTimeoutMs ?? 15_000,
    });
    // An idle client losing its server (restart, failover) must not crash the process; the pool reconnects.
    pool.on('error', (err) => log?.warn({ err: err.message }, 'postgres idle client error'));
    // pg-pool only listens for errors on idle clients; a checked-out client whose server goes away emits 'error'
    // with no listener, which would crash the process. Its query rejects anyway, so logging is enough.
    pool.on('connect', (client) => client.on('error', (err) => log?.warn({ err: err.message }, 'postgres client error')));
    return wrapPgPool(pool, { log });
  }
  const dir = config.database.dataDir;
  const { PGlite } = await import('@electric-sql/pglite');
  const options = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] };
  if (!dir) return wrapPglite(await PGlite.create(options));
  // One process at a time (data-dir-lock.ts): refused before anything in the directory is touched.
  mkdirSync(dirname(dir), { recursive: true });
  const lock = acquireDataDirLock(dir, command);
  try {
    mkdirSync(dir, { recursive: true });
    return await wrapPglite(await PGlite.create(dir, options), () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}
