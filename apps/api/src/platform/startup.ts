import type { Redis } from 'ioredis';

/**
 * A start-up failure that says which part of the outside world failed and which variable points at it: what an
 * operator reads in `fly logs` at 3 a.m. ("Stream isn't writeable" or "connect ECONNREFUSED 127.0.0.1:5432" say
 * neither).
 */
export class StartupError extends Error {
  constructor(
    readonly component: string,
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** A connection URL as it may be printed: no user name or password, no query string (it can carry secrets). */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string } | undefined;
  const message = e?.message?.split('\n')[0]?.slice(0, 200) ?? String(err);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** Waits for a Redis connection to be ready, or fails naming Redis and REDIS_URL. */
export function redisReady(client: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last: unknown = null;
    const onError = (err: unknown) => {
      last = err;
    };
    const done = (err?: StartupError) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => {
      const why = last ? reason(last) : `no answer within ${timeoutMs} ms`;
      done(new StartupError('Redis', 'REDIS_URL', `Redis is not reachable at ${redactUrl(url)} (REDIS_URL): ${why}. Start Redis or correct REDIS_URL.`));
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** Wraps a database failure at start-up as PostgreSQL / DATABASE_URL, or embedded PostgreSQL / DATA_DIR. */
export function databaseStartupError(err: unknown, database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null }): StartupError {
  if (err instanceof StartupError) return err;
  if (database.kind === 'postgres') {
    return new StartupError(
      'PostgreSQL',
      'DATABASE_URL',
      `PostgreSQL is not usable at ${redactUrl(database.url)} (DATABASE_URL): ${reason(err)}. Start PostgreSQL or correct DATABASE_URL.`,
    );
  }
  return new StartupError(
    'embedded PostgreSQL (PGlite)',
    'DATA_DIR',
    `the embedded database at ${database.dataDir ?? ':memory:'} (DATA_DIR/DB_NAME) cannot be opened: ${reason(err)}.`,
  );
}
