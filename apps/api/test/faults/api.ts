/**
 * The API in this process, listening on loopback like server.ts does (same platform, migrations and app), so a
 * test can both send real HTTP and look at the platform's state.
 */
import { inject } from 'vitest';
import { pino } from 'pino';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { compose, type Root } from '../../src/compose.ts';
import type { Platform } from '../../src/platform/index.ts';
import type { TestPrices } from '../prices.ts';
import type { TestContext } from '../helpers.ts';
import { pgCluster, type PgCluster } from './infra.ts';

export interface Api {
  app: App;
  root: Root;
  platform: Platform;
  url: string;
  close(): Promise<void>;
}

export function faultEnv(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    ENVIRONMENT: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
    DB_POOL_SIZE: '8',
    ...overrides,
  };
}

/** `prices` stands in for the feed's store (connected by this function to the app's events). */
export async function startApi(env: Record<string, string | undefined>, opts: { prices?: TestPrices } = {}): Promise<Api> {
  const { config } = loadConfig(faultEnv(env));
  const log = pino({ level: config.logLevel });
  const root = await compose(config, log, { prices: opts.prices });
  const { platform } = root;
  opts.prices?.connect(platform.events);
  await runMigrations(platform.database);
  const app = await buildApp(root);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    app,
    root,
    platform,
    url: `http://127.0.0.1:${port}`,
    async close() {
      // After a database restart a pooled connection can be left waiting on a server that is gone: the pool cuts
      // such connections after POOL_CLOSE_GRACE_MS (platform/db/client.ts). The fault has been asserted already,
      // so the teardown stays bounded as well rather than let anything else stuck fail the run.
      const bounded = (p: Promise<void>) => Promise.race([p, new Promise<void>((resolve) => setTimeout(resolve, 20_000).unref())]);
      await bounded(app.close());
      await bounded(platform.close());
    },
  };
}

/** The run's throwaway cluster (global-setup.ts) and a fresh database on it for this file. */
export async function faultDatabase(name: string): Promise<{ cluster: PgCluster; url: string }> {
  const cluster = pgCluster(inject('faultPgPort'), inject('faultPgDir'));
  const db = `cv_fault_${name}_${Date.now().toString(36)}`;
  return { cluster, url: await cluster.createDatabase(db) };
}

/** The shape auth-helpers.ts expects, so tests can sign users up through the real routes. */
export function asTestContext(api: Api): TestContext {
  return { app: api.app, root: api.root, platform: api.platform, config: api.platform.config, close: api.close };
}

export interface Health {
  http: number;
  status: string;
  checks: Record<string, { status: string; detail?: string }>;
}

export async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { status: string; checks: Health['checks'] };
  return { http: res.status, status: body.status, checks: body.checks };
}

/** Fixed secrets so that tokens issued by one server process are accepted by the others. */
export const SHARED_SECRETS = {
  JWT_SECRET: 'faults-jwt-secret-0123456789abcdefghijklmnop',
  CSRF_SECRET: 'faults-csrf-secret-0123456789abcdefghijklmno',
  DATA_ENCRYPTION_KEY: 'faults-data-key-0123456789abcdefghijklmnopqr',
};

/** Signs a user up over HTTP on one server process and returns its bearer token (dev outbox of that process). */
export async function signUpOverHttp(url: string): Promise<{ id: string; accessToken: string }> {
  const email = `fault-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const legal = (await (await fetch(`${url}/api/legal/documents`)).json()) as { items: { kind: string; version: number }[] };
  const termsVersion = legal.items.find((d) => d.kind === 'terms')?.version;
  const signup = await post('/api/auth/signup', { email, password: 'correct horse battery staple 42', name: 'Fault Tester', termsVersion });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const outbox = (await (await fetch(`${url}/api/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as { items: { text: string }[] };
  const code = outbox.items[0]?.text.match(/\b(\d{6})\b/)?.[1];
  const verify = await post('/api/auth/verify-email', { email, code, returnTokens: true });
  const body = (await verify.json()) as { user: { id: string }; tokens?: { accessToken: string } };
  if (verify.status !== 200 || !body.tokens) throw new Error(`verify-email: ${verify.status} ${JSON.stringify(body)}`);
  return { id: body.user.id, accessToken: body.tokens.accessToken };
}
