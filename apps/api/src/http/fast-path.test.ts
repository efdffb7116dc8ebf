import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../test/helpers.ts';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request over a real socket (the fast path sits in front of Fastify in the HTTP server), bytes undecoded. */
function send(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The same request through Fastify's pipeline alone (inject does not go through the HTTP server). */
async function viaFastify(t: TestContext, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await t.app.inject({ method: 'GET', url: path, headers });
  return { status: res.statusCode, headers: res.headers as IncomingHttpHeaders, body: res.rawPayload };
}

/** Headers that differ per response or per transport. */
const comparable = (h: IncomingHttpHeaders, keepRequestId: boolean) =>
  Object.fromEntries(
    Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', ...(keepRequestId ? [] : ['x-request-id'])].includes(k)),
  );

async function listening(env: Record<string, string> = {}): Promise<{ t: TestContext; base: string }> {
  const t = await createTestApp({ USE_MOCK_PRICES: 'true', CORS_ORIGINS: 'https://app.example.com', ...env });
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, base };
}

describe('fast path for GET /api/crypto', () => {
  let t: TestContext;
  let base: string;
  beforeAll(async () => {
    ({ t, base } = await listening());
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Both paths for one request, retried when a price tick fell between them (the ETags then differ). */
  async function both(headers: Record<string, string>): Promise<{ fast: Raw; slow: Raw; answered: number }> {
    for (let attempt = 0; ; attempt++) {
      const before = t.app.fastPath.answered;
      const fast = await send(base, '/api/crypto', headers);
      const answered = t.app.fastPath.answered - before;
      const slow = await viaFastify(t, '/api/crypto', headers);
      if (fast.headers.etag === slow.headers.etag || attempt === 5) return { fast, slow, answered };
    }
  }

  it.each([
    ['no request headers', {}],
    ['gzip', { 'accept-encoding': 'gzip' }],
    ['a browser', { 'accept-encoding': 'gzip, deflate, br' }],
    ['nothing acceptable', { 'accept-encoding': 'gzip;q=0, br;q=0' }],
    ['a sane request id', { 'x-request-id': 'trace-42.a' }],
    ['credentials that do not check out', { cookie: 'access_token=not-a-token', authorization: 'Bearer nonsense' }],
  ])('answers exactly as Fastify does: %s', async (_label, headers: Record<string, string>) => {
    const { fast, slow, answered } = await both(headers);
    expect(answered).toBe(1);
    expect(fast.status).toBe(200);
    expect(slow.status).toBe(200);
    expect(comparable(fast.headers, 'x-request-id' in headers)).toEqual(comparable(slow.headers, 'x-request-id' in headers));
    expect(fast.body.equals(slow.body)).toBe(true);
    expect(fast.headers['x-request-id']).toMatch(headers['x-request-id'] ?? /^[0-9a-f-]{36}$/);
    const encoding = fast.headers['content-encoding'];
    const json = encoding === 'br' ? brotliDecompressSync(fast.body) : encoding === 'gzip' ? gunzipSync(fast.body) : fast.body;
    expect(Object.keys(JSON.parse(json.toString('utf8')))).toEqual(['items', 'updatedAt', 'source', 'stale']);
  });

  it('answers 304 to a client holding the current representation, as Fastify does', async () => {
    for (let attempt = 0; ; attempt++) {
      const first = await send(base, '/api/crypto', { 'accept-encoding': 'br' });
      const headers = { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) };
      const fast = await send(base, '/api/crypto', headers);
      const slow = await viaFastify(t, '/api/crypto', headers);
      if ((fast.status !== 304 || slow.status !== 304) && attempt < 5) continue; // a tick came in between
      expect(fast.status).toBe(304);
      expect(fast.body.length).toBe(0);
      expect(comparable(fast.headers, false)).toEqual(comparable(slow.headers, false));
      expect(slow.status).toBe(304);
      return;
    }
  });

  it('leaves CORS requests, HEAD and query strings to Fastify', async () => {
    const before = t.app.fastPath.answered;
    const cors = await send(base, '/api/crypto', { origin: 'https://app.example.com' });
    expect(cors.status).toBe(200);
    expect(cors.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(cors.headers.vary).toBe('Origin, Accept-Encoding');
    expect((await send(base, '/api/crypto', {}, 'HEAD')).status).toBe(200);
    expect((await send(base, '/api/crypto?x=1')).status).toBe(200);
    expect((await send(base, '/api/crypto/bitcoin')).status).toBe(200);
    expect(t.app.fastPath.answered).toBe(before);
  });

  it('records its requests in the same latency histogram as Fastify', async () => {
    await send(base, '/api/crypto');
    const text = await t.platform.metrics.registry.metrics();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/crypto",status="200"\} [1-9]/);
  });
});

/** A client address of its own per run (behind TRUST_PROXY=1): counts in a shared Redis outlive a test file. */
const freshClient = () => `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`;

describe('fast path and the API rate limit', () => {
  it('counts against the same per-IP limit as Fastify, and leaves the refusal to it', async () => {
    const { t, base } = await listening({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' });
    const client = { 'x-forwarded-for': freshClient() };
    try {
      expect((await send(base, '/api/crypto', client)).status).toBe(200);
      expect((await send(base, '/api/crypto', { ...client, origin: 'https://app.example.com' })).status).toBe(200);
      expect((await send(base, '/api/crypto', client)).status).toBe(200);
      const refused = await send(base, '/api/crypto', client);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(refused.body.toString()).error).toMatchObject({ code: 'RATE_LIMITED', requestId: refused.headers['x-request-id'] });
      expect(t.app.fastPath.answered).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('limits the client Fastify would see behind a trusted proxy', async () => {
    const { t, base } = await listening({ RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: '1' });
    const [one, other] = [freshClient(), freshClient()];
    try {
      expect((await send(base, '/api/crypto', { 'x-forwarded-for': one })).status).toBe(200);
      expect((await send(base, '/api/crypto', { 'x-forwarded-for': one })).status).toBe(429);
      expect((await send(base, '/api/crypto', { 'x-forwarded-for': other })).status).toBe(200);
      expect(t.app.fastPath.answered).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('leaves a request to Fastify when its body cannot be built', async () => {
    const t = await createTestApp(
      {},
      {
        extraRoutes: (app) => {
          app.fastPath.get('/api/test/broken', {
            body: () => {
              throw new Error('no body today');
            },
            cacheControl: 'no-store',
          });
          app.get('/api/test/broken', async () => ({ from: 'fastify' }));
        },
      },
    );
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await send(base, '/api/test/broken');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())).toEqual({ from: 'fastify' });
      expect(t.app.fastPath.answered).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('answers nothing once the app is closing', async () => {
    const { t, base } = await listening();
    try {
      t.app.fastPath.close();
      expect((await send(base, '/api/crypto')).status).toBe(200);
      expect(t.app.fastPath.answered).toBe(0);
    } finally {
      await t.close();
    }
  });
});
