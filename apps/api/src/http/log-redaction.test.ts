import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDatabase, testEnv } from '../../test/helpers.ts';
import { type App, buildApp } from '../app.ts';
import { compose } from '../compose.ts';
import { loadConfig } from '../config.ts';
import type { Platform } from '../platform/index.ts';
import { loggerOptions, redactUrl } from '../platform/logger.ts';

/** The server's own logger (platform/logger.ts options) writing JSON lines into `lines`. */
let lines: string[] = [];
let app: App;
let platform: Platform;

beforeAll(async () => {
  const { config } = loadConfig(testEnv({ LOG_LEVEL: 'info' }));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino(loggerOptions(config), sink);
  const root = await compose(config, log, { database: { ...(await sharedDatabase()), close: async () => undefined } });
  platform = root.platform;
  app = await buildApp(root);
  const db = platform.database.db;
  app.get('/api/test/overflow', async () =>
    db.execute(sql`select (${'99999999999999999999.5'}::numeric * ${'12345678901234567890'}::numeric)::numeric(38,18) as v`),
  );
  app.get('/api/test/constraint', async () =>
    db.execute(sql`insert into deposit_status_history (deposit_id, status, source) values (gen_random_uuid(), ${'param-value-7f3a'}, ${'bogus-source-9c1e'})`),
  );
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await platform?.close();
});

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('SQL text and parameters never reach the logs', () => {
  it('a failing statement is a 500 whose log keeps the PostgreSQL code, not the SQL or its parameters', async () => {
    lines = [];
    const res = await app.inject({ method: 'GET', url: '/api/test/overflow' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toMatchObject({ code: 'INTERNAL', message: 'Internal server error' });
    const text = lines.join('\n');
    expect(text).not.toMatch(/select|numeric\(38|99999999999999999999|12345678901234567890/i);
    const errLine = logged().find((l) => l.msg === 'unhandled error') as { err: { message: string; cause?: { code?: string } } } | undefined;
    expect(errLine?.err.message).toMatch(/database query failed/);
    expect(errLine?.err.cause?.code).toBe('22003');
  });

  it('a constraint violation keeps the constraint name, not the values', async () => {
    lines = [];
    expect((await app.inject({ method: 'GET', url: '/api/test/constraint' })).statusCode).toBe(500);
    const text = lines.join('\n');
    expect(text).not.toMatch(/insert into|param-value-7f3a|bogus-source-9c1e/i);
    const errLine = logged().find((l) => l.msg === 'unhandled error') as { err: { cause?: { code?: string; constraint?: string } } } | undefined;
    expect(errLine?.err.cause).toMatchObject({ code: '23514', constraint: 'deposit_status_history_source_check' });
  });
});

describe('tokens in URLs never reach the request log', () => {
  it('redacts token-like query parameters on every URL, reset links included, and keeps the rest', async () => {
    lines = [];
    const urls = [
      '/reset-password?token=rst_4b1c9e7f00aa&from=email',
      '/verify-email?email=a%40b.test&code=913377',
      '/api/auth/anything?access_token=eyJhbGciOi.secret.part',
      '/api/crypto?refresh%5Ftoken=rf-77aa',
      '/api/crypto/bitcoin/history?interval=h1&signature=sig-5521',
    ];
    for (const url of urls) await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    const text = lines.join('\n');
    for (const secret of ['rst_4b1c9e7f00aa', '913377', 'eyJhbGciOi', 'rf-77aa', 'sig-5521']) expect(text).not.toContain(secret);
    const seen = logged()
      .map((l) => (l.req as { url?: string } | undefined)?.url)
      .filter(Boolean);
    expect(seen).toContain('/reset-password?token=[redacted]&from=email');
    expect(seen).toContain('/api/crypto/bitcoin/history?interval=h1&signature=[redacted]');
  });

  it('redactUrl leaves URLs without credentials alone', () => {
    expect(redactUrl('/api/orders?status=open&limit=50')).toBe('/api/orders?status=open&limit=50');
    expect(redactUrl('/api/crypto')).toBe('/api/crypto');
    expect(redactUrl('/x?Token=a&TOKEN=b&t=c')).toBe('/x?Token=[redacted]&TOKEN=[redacted]&t=c');
    expect(redactUrl('/x?%E0%A4%A=1&api_key=k')).toBe('/x?%E0%A4%A=1&api_key=[redacted]');
  });
});
