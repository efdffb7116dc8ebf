import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestContext } from '../test/helpers.ts';
import { securityHeaders } from './http/security-headers.ts';

let t: TestContext;

beforeAll(async () => {
  t = await createTestApp(
    { CORS_ORIGINS: 'https://www.cryptovault.financial,https://cryptovault-*.vercel.app', BODY_LIMIT_BYTES: '2048', METRICS_TOKEN: 'metrics-token-123' },
    {
      extraRoutes: (app) => {
        const a = app.withTypeProvider<ZodTypeProvider>();
        a.post('/api/test/echo', { schema: { body: z.object({ name: z.string().min(1).max(10), qty: z.number().int() }) } }, async (req) => req.body);
        a.get('/api/test/boom', async () => {
          throw new Error('database password is hunter2 at /srv/app/secret.ts:42');
        });
      },
    },
  );
});
afterAll(async () => {
  await t.close();
});

const errorShape = {
  error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
};

describe('errors in the contract shape', () => {
  it('400 VALIDATION_ERROR with field paths', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/test/echo', payload: { name: '', qty: 1.5 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject(errorShape);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    const paths = body.error.details.map((d: { path: string[] }) => d.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.qty']));
  });

  it('400 on malformed JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('404 NOT_FOUND for unknown API paths', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('413 PAYLOAD_TOO_LARGE over the body limit', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/test/echo', payload: { name: 'x'.repeat(5000), qty: 1 } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('400 for NUL characters anywhere in body, query or path', async () => {
    const body = await t.app.inject({ method: 'POST', url: '/api/test/echo', payload: { name: 'a\u0000b', qty: 1 } });
    expect(body.statusCode).toBe(400);
    expect(body.json().error.code).toBe('VALIDATION_ERROR');
    const query = await t.app.inject({ method: 'GET', url: '/api/ping?x=%00' });
    expect(query.statusCode).toBe(400);
  });

  it('router refusals use the contract shape (over-long path parameter)', async () => {
    for (const url of [`/api/crypto/${'a'.repeat(300)}`, `/api/orders/${'a'.repeat(300)}`, `/${'a'.repeat(300)}`]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([404, 414]).toContain(res.statusCode);
      expect(res.json()).toMatchObject({ error: { code: expect.stringMatching(/^(NOT_FOUND|VALIDATION_ERROR)$/), requestId: expect.any(String) } });
      expect(res.body).not.toContain('FST_ERR');
    }
  });

  it('500 hides internals', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(res.body).not.toMatch(/hunter2|secret\.ts|at /);
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-ID and replaces an insane one', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/api/ping', headers: { 'x-request-id': 'abc-123.def' } });
    expect(kept.headers['x-request-id']).toBe('abc-123.def');
    const replaced = await t.app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': 'bad id with spaces <script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.json().error.requestId).toBe(replaced.headers['x-request-id']);
  });
});

describe('security headers and CORS', () => {
  it('sets helmet headers: a CSP fit for the SPA on pages, one that allows nothing on API responses', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/ping' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['cross-origin-resource-policy']).toBe('same-site');
    expect(res.headers['strict-transport-security']).toBeUndefined(); // HSTS only in production
    // Headers that only act on a rendered document stay off JSON.
    const documentOnly = [
      'cross-origin-opener-policy',
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ];
    for (const name of documentOnly) expect(res.headers[name], name).toBeUndefined();
    const page = await t.app.inject({ method: 'GET', url: '/health' });
    expect(String(page.headers['content-security-policy'])).toMatch(/default-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    for (const name of documentOnly) expect(page.headers[name], name).toBeDefined();
    const notFound = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(notFound.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('adds HSTS in production', () => {
    const prod = securityHeaders({ ...t.platform.config, isProduction: true });
    expect(prod.document['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(prod.api['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(prod.document['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('allows a preflight from a configured origin, with credentials', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: {
        origin: 'https://cryptovault-preview.vercel.app',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrf-token',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://cryptovault-preview.vercel.app');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('refuses a preflight from a foreign origin', async () => {
    for (const origin of ['https://evil.example', 'https://cryptovault-a.b.vercel.app', 'https://cryptovault-x.vercel.app.evil.com']) {
      const res = await t.app.inject({ method: 'OPTIONS', url: '/api/auth/login', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });
});

describe('operations endpoints', () => {
  it('/health and /api/health report checks and version', async () => {
    for (const url of ['/health', '/api/health']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(['ok', 'degraded']).toContain(body.status);
      expect(body.checks.database.status).toBe('ok');
      expect(body.checks.cache.status).toBe('ok');
      expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('/health/live, /ping, /api/ping', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    for (const url of ['/ping', '/api/ping']) {
      expect((await t.app.inject({ method: 'GET', url })).json()).toMatchObject({ status: 'ok', message: 'pong', timestamp: expect.any(String) });
    }
  });

  it('/api/csrf sets a host-only httpOnly cookie matching the token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/csrf' });
    const token = res.json().csrfToken as string;
    const cookie = res.cookies.find((c) => c.name === 'csrf_token');
    expect(cookie?.value).toBe(token);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.domain).toBeUndefined();
    expect(cookie?.path).toBe('/');
  });

  it('/api/config describes the runtime for the web app', async () => {
    const body = (await t.app.inject({ method: 'GET', url: '/api/config' })).json();
    expect(body).toMatchObject({ apiBaseUrl: 'http://localhost:8001', socketIoPath: '/socket.io/', environment: 'test', sentryDsn: null });
    expect(body.features.devTools).toBe(true);
  });

  it('/api/fly/region and /api/fly/health/fly answer outside Fly', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/fly/region' })).json()).toMatchObject({ region: 'local', machineId: expect.any(String) });
    expect((await t.app.inject({ method: 'GET', url: '/api/fly/health/fly' })).json()).toMatchObject({ status: 'ok', draining: false });
  });

  it('/api/fly/status and /api/fly/instances are not public', async () => {
    for (const url of ['/api/fly/status', '/api/fly/instances']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.body).not.toMatch(/rssBytes|machineId/);
    }
  });

  it('/metrics needs the token or a direct private connection', async () => {
    const proxied = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'fly-client-ip': '203.0.113.9' } });
    expect(proxied.statusCode).toBe(403);
    const withToken = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-123', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toMatch(/http_request_duration_seconds_bucket/);
    expect(withToken.body).toMatch(/nodejs_eventloop_lag/);
    const direct = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(direct.statusCode).toBe(200);
  });

  it('serves the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/config', '/api/fly/status']));
    expect((await t.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBe(200);
  });
});

describe('health with the database down', () => {
  it('answers 503 with database down', async () => {
    const own = await createTestApp({}, { ownDatabase: true });
    try {
      await own.platform.database.close();
      const res = await own.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'down', checks: { database: { status: 'down' } } });
    } finally {
      await own.close();
    }
  });

  it('answers 503 draining while shutting down', async () => {
    t.platform.draining = true;
    try {
      const res = await t.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('draining');
    } finally {
      t.platform.draining = false;
    }
  });
});
