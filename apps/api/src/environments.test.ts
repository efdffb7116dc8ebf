import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDatabase } from '../test/helpers.ts';
import { REPO_ROOT } from '../test/deploy/paths.ts';
import { type App, buildApp } from './app.ts';
import { compose } from './compose.ts';
import { loadConfig } from './config.ts';
import type { Platform } from './platform/index.ts';

const secret = () => randomBytes(32).toString('base64url');

/** What a staging deployment is given: its own secrets and URLs, sandbox keys. */
function stagingEnv(): Record<string, string> {
  return {
    ENVIRONMENT: 'staging',
    JWT_SECRET: secret(),
    CSRF_SECRET: secret(),
    DATA_ENCRYPTION_KEY: secret(),
    APP_URL: 'https://staging.example.test',
    PUBLIC_API_URL: 'https://staging.example.test',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/none',
    REDIS_URL: 'redis://127.0.0.1:1',
    USE_MOCK_PRICES: 'true',
    SENDGRID_API_KEY: 'SG.sandbox',
    NOWPAYMENTS_API_KEY: 'np-sandbox',
    NOWPAYMENTS_SANDBOX: 'true',
    NOWPAYMENTS_IPN_SECRET: secret(),
    PROOF_SIGNING_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  };
}

describe('ENVIRONMENT=staging', () => {
  it('refuses to start without its secrets, naming each one (exit 78)', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ENVIRONMENT: 'staging' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/server.ts'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(78);
    for (const name of ['JWT_SECRET', 'CSRF_SECRET', 'DATA_ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL', 'NOWPAYMENTS_IPN_SECRET', 'PROOF_SIGNING_KEY']) {
      expect(run.stderr).toContain(`${name} is required in staging`);
    }
  });

  describe('with its secrets', () => {
    let app: App;
    let platform: Platform;

    beforeAll(async () => {
      const { config } = loadConfig(stagingEnv());
      // The test's own database and in-process cache stand in for the deployment's servers; everything else is
      // what loadConfig made of the staging environment.
      const root = await compose({ ...config, redis: { kind: 'memory' } }, pino({ level: 'silent' }), {
        database: { ...(await sharedDatabase()), close: async () => undefined },
      });
      platform = root.platform;
      app = await buildApp(root);
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await platform?.close();
    });

    it('has no development route: the outbox, price setting and simulated payment completion are 404', async () => {
      const calls = [
        { method: 'GET' as const, url: '/api/dev/outbox' },
        { method: 'GET' as const, url: '/api/dev/outbox?to=victim@example.test' },
        { method: 'POST' as const, url: '/api/dev/market/bitcoin', payload: { priceUsd: '1' } },
        { method: 'POST' as const, url: '/api/dev/deposits/00000000-0000-4000-8000-000000000000/complete', payload: {} },
      ];
      for (const call of calls) {
        const res = await app.inject(call);
        expect(res.statusCode, call.url).toBe(404);
        expect(res.json().error.code).toBe('NOT_FOUND');
      }
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/dev'))).toEqual([]);
    });

    it('tells the web app there are no development tools, and sends HSTS like production', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/config' });
      expect(res.json()).toMatchObject({ environment: 'staging', features: { devTools: false } });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });
  });
});
