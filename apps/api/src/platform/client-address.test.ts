import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../test/helpers.ts';
import { loadConfig } from '../config.ts';
import { EDGE_SECRET_HEADER } from './client-address.ts';

/**
 * The spoofing attempts of a caller who picks its own rate-limit address, for every proxy topology, over a real
 * socket (the HTTP server's handler, the fast path, Socket.IO) and through Fastify's request.ip. The TCP peer is
 * always 127.0.0.1 here, as Fly's proxy connects from a private address of its own.
 */
const EDGE_SECRET = randomBytes(32).toString('hex');

/** A public-looking address of its own per run: counts in a shared Redis outlive a test file. */
const fresh = () => `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`;

interface Answer {
  status: number;
  body: string;
}

function send(base: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listening(env: Record<string, string>): Promise<{ t: TestContext; base: string }> {
  const t = await createTestApp(
    { USE_MOCK_PRICES: 'true', METRICS_TOKEN: '', ...env },
    {
      // Outside the per-IP budget: 127.0.0.1's count in a shared Redis is other test files' too.
      extraRoutes: (app) => app.get('/api/test/ip', { config: { rateLimit: false } }, async (request) => ({ ip: request.ip })),
    },
  );
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, base };
}

const ipOf = async (base: string, headers: Record<string, string>) => JSON.parse((await send(base, '/api/test/ip', headers)).body).ip as string;
const handshake = (base: string, headers: Record<string, string>) => send(base, '/socket.io/?EIO=4&transport=polling', headers);

describe('TRUST_PROXY=fly: the address is Fly-Client-IP, written by Fly', () => {
  let t: TestContext;
  let base: string;
  beforeAll(async () => {
    ({ t, base } = await listening({ TRUST_PROXY: 'fly', RATE_LIMIT_PER_MINUTE: '3' }));
  });
  afterAll(async () => t?.close());

  it('request.ip ignores whatever X-Forwarded-For the caller wrote', async () => {
    const caller = fresh();
    expect(await ipOf(base, { 'fly-client-ip': caller, 'x-forwarded-for': `198.51.100.7, ${fresh()}, ${caller}` })).toBe(caller);
    expect(await ipOf(base, { 'fly-client-ip': caller, 'x-forwarded-for': fresh() })).toBe(caller);
    // Over Fly's private network (no Fly-Client-IP) the peer is the caller, whatever it claims.
    expect(await ipOf(base, { 'x-forwarded-for': fresh() })).toBe('127.0.0.1');
    // A repeated or malformed Fly-Client-IP is not an address.
    expect(await ipOf(base, { 'fly-client-ip': `${caller}, ${fresh()}` })).toBe('127.0.0.1');
  });

  it('one caller varying X-Forwarded-For stays one rate-limit key, on the fast path, in Fastify and for socket handshakes', async () => {
    const caller = fresh();
    const as = () => ({ 'fly-client-ip': caller, 'x-forwarded-for': fresh() });
    expect((await send(base, '/api/crypto', as())).status).toBe(200); // fast path
    expect((await send(base, '/api/crypto/bitcoin', as())).status).toBe(200); // Fastify
    expect((await handshake(base, as())).status).toBe(200); // Socket.IO
    expect((await send(base, '/api/crypto', as())).status).toBe(429);
    expect((await send(base, '/api/crypto/bitcoin', as())).status).toBe(429);
    expect((await handshake(base, as())).status).toBe(403);
    // Another caller is not affected.
    expect((await send(base, '/api/crypto', { 'fly-client-ip': fresh() })).status).toBe(200);
  });

  it('/metrics answers a direct private peer, never a request relayed by the public proxy', async () => {
    expect((await send(base, '/metrics', {})).status).toBe(200);
    expect((await send(base, '/metrics', { 'fly-client-ip': fresh() })).status).toBe(403);
    expect((await send(base, '/metrics', { 'fly-client-ip': '10.0.0.5' })).status).toBe(403);
    expect((await send(base, '/metrics', { 'x-forwarded-for': '10.0.0.5' })).status).toBe(403);
  });
});

describe('TRUST_PROXY=vercel+fly: the address Vercel set, only for requests that prove they came through Vercel', () => {
  let t: TestContext;
  let base: string;
  const vercelEgress = fresh();
  beforeAll(async () => {
    ({ t, base } = await listening({ TRUST_PROXY: 'vercel+fly', EDGE_PROXY_SECRET: EDGE_SECRET, RATE_LIMIT_PER_MINUTE: '2' }));
  });
  afterAll(async () => t?.close());

  /** What reaches the API through Vercel's rewrite: Vercel's X-Forwarded-For, Fly's hop after it, the edge secret. */
  const viaVercel = (client: string, extra: Record<string, string> = {}) => ({
    'fly-client-ip': vercelEgress,
    'x-forwarded-for': `${client}, ${vercelEgress}`,
    [EDGE_SECRET_HEADER]: EDGE_SECRET,
    ...extra,
  });

  it('through Vercel, request.ip is the client Vercel saw, also when more hops follow Fly', async () => {
    const client = fresh();
    expect(await ipOf(base, viaVercel(client))).toBe(client);
    expect(await ipOf(base, viaVercel(client, { 'x-forwarded-for': `198.51.100.9, ${client}, ${vercelEgress}, 2001:db8::1` }))).toBe(client);
  });

  it('a direct caller of the Fly origin is the address Fly saw, whatever X-Forwarded-For or guessed secret it sends', async () => {
    for (const secret of [undefined, 'guess', `${EDGE_SECRET.slice(0, -1)}${EDGE_SECRET.endsWith('0') ? '1' : '0'}`, '']) {
      const direct = fresh();
      const headers: Record<string, string> = { 'fly-client-ip': direct, 'x-forwarded-for': `${fresh()}, ${direct}` };
      if (secret !== undefined) headers[EDGE_SECRET_HEADER] = secret;
      expect(await ipOf(base, headers)).toBe(direct);
    }
  });

  it('the direct caller cannot escape its limit by varying X-Forwarded-For (fast path, Fastify, sockets)', async () => {
    const direct = fresh();
    const as = () => ({ 'fly-client-ip': direct, 'x-forwarded-for': `${fresh()}, ${direct}` });
    expect((await send(base, '/api/crypto', as())).status).toBe(200);
    expect((await handshake(base, as())).status).toBe(200);
    expect((await send(base, '/api/crypto', as())).status).toBe(429);
    expect((await send(base, '/api/crypto/bitcoin', as())).status).toBe(429);
    expect((await handshake(base, as())).status).toBe(403);
    // Clients coming through Vercel keep their own budgets.
    expect((await send(base, '/api/crypto', viaVercel(fresh()))).status).toBe(200);
    expect((await send(base, '/api/crypto/bitcoin', viaVercel(fresh()))).status).toBe(200);
  });

  it('/metrics refuses a relayed request even when it names a private client', async () => {
    expect((await send(base, '/metrics', viaVercel('10.0.0.5'))).status).toBe(403);
    expect((await send(base, '/metrics', {})).status).toBe(200);
  });

  it('is refused at start without a strong EDGE_PROXY_SECRET', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'vercel+fly' })).toThrow(/EDGE_PROXY_SECRET is required with TRUST_PROXY=vercel\+fly/);
    expect(() => loadConfig({ TRUST_PROXY: 'vercel+fly', EDGE_PROXY_SECRET: 'short' })).toThrow(/EDGE_PROXY_SECRET is too short/);
  });
});

describe('TRUST_PROXY=false: nothing in front', () => {
  it('request.ip is the TCP peer; X-Forwarded-For and Fly-Client-IP are not believed', async () => {
    const { t, base } = await listening({ TRUST_PROXY: 'false' });
    try {
      expect(await ipOf(base, { 'x-forwarded-for': fresh(), 'fly-client-ip': fresh() })).toBe('127.0.0.1');
    } finally {
      await t.close();
    }
  });
});

describe('a hop count (other setups)', () => {
  it('believes exactly that many proxies, and warns in production that a direct caller can choose its address', async () => {
    const { t, base } = await listening({ TRUST_PROXY: '2' });
    try {
      const [client, hop] = [fresh(), fresh()];
      expect(await ipOf(base, { 'x-forwarded-for': `${fresh()}, ${client}, ${hop}` })).toBe(client);
    } finally {
      await t.close();
    }
    const notices = (env: Record<string, string>) =>
      loadConfig({
        ENVIRONMENT: 'production',
        JWT_SECRET: EDGE_SECRET,
        CSRF_SECRET: `${EDGE_SECRET}c`,
        DATA_ENCRYPTION_KEY: `${EDGE_SECRET}d`,
        DATABASE_URL: 'postgres://u@db/cv',
        REDIS_URL: 'redis://r:6379',
        APP_URL: 'https://app.example.test',
        PUBLIC_API_URL: 'https://app.example.test',
        SENDGRID_API_KEY: 'SG.x',
        NOWPAYMENTS_API_KEY: 'np',
        NOWPAYMENTS_IPN_SECRET: EDGE_SECRET,
        PROOF_SIGNING_KEY: 'KAsx0Ad3LzmK9vwcgF2mRTcQzOl6l9BD8QNgUJ4fSbk=',
        COINCAP_API_KEY: 'cc',
        ...env,
      }).notices.join('\n');
    expect(notices({ TRUST_PROXY: '2' })).toMatch(/TRUST_PROXY=2 .*picks its own rate-limit address.*TRUST_PROXY=fly/);
    expect(notices({ TRUST_PROXY: 'fly' })).not.toMatch(/TRUST_PROXY/);
  });
});
