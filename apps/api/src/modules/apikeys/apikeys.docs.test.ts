import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { API_KEY_SCOPE_ROUTES } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, type TestKey } from '../../../test/api-keys.ts';
import { signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { REPO_ROOT } from '../../../test/deploy/paths.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit } from '../ledger/index.ts';

// The examples of docs/api-keys.md, read from the document and run against a listening app: the shell script
// (bash, openssl, curl) and the TypeScript client (fetch + node:crypto). If the document and the server disagree on
// the signature, a header or an answer, this fails.

const doc = readFileSync(join(REPO_ROOT, 'docs', 'api-keys.md'), 'utf8');
function example(name: string, lang: string): string {
  const m = new RegExp(`<!-- example:${name} -->\\s*\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`no ${name} example in docs/api-keys.md`);
  return m[1];
}

const run = promisify(execFile);
let t: TestContext;
let base: string;
let alice: TestSession;
let key: TestKey;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  base = `http://127.0.0.1:${address.port}`;
  alice = await signUpVerified(t);
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'USD', amount: '1000', reference: `test:fund:${randomUUID()}` }));
  const price = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
  expect(price.statusCode).toBe(200);
  key = await createApiKey(t, alice, { scopes: ['read', 'trade'] });
  dir = mkdtempSync(join(tmpdir(), 'cv-apikeys-doc-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('docs/api-keys.md', () => {
  it('the shell example (openssl + curl) reads the portfolio and places an order', async () => {
    const script = join(dir, 'cv-request');
    writeFileSync(script, example('shell', 'sh'));
    chmodSync(script, 0o755);
    const env = { ...process.env, CV_API: base, CV_KEY: key.id, CV_SECRET: key.secret };
    const portfolio = await run('bash', [script, 'GET', '/api/portfolio'], { env });
    expect(JSON.parse(portfolio.stdout)).toHaveProperty('holdings');
    const tx = await run('bash', [script, 'GET', '/api/transactions?limit=2'], { env });
    expect(JSON.parse(tx.stdout)).toHaveProperty('items');
    const order = await run('bash', [script, 'POST', '/api/orders', '{"symbol":"BTC/USD","side":"buy","type":"market","amount":"0.001"}'], { env });
    expect(JSON.parse(order.stdout)).toMatchObject({ symbol: 'BTC/USD', side: 'buy', status: 'closed' });
    const wrong = await run('bash', [script, 'GET', '/api/portfolio'], { env: { ...env, CV_SECRET: 'cvs_wrong' } });
    expect(JSON.parse(wrong.stdout).error.code).toBe('SIGNATURE_INVALID');
  });

  it('the TypeScript example reads, places an order with an Idempotency-Key, and reports refusals with the error code', async () => {
    const file = join(dir, 'cv-client.ts');
    writeFileSync(file, example('typescript', 'ts'));
    const { cvRequest } = (await import(/* @vite-ignore */ file)) as typeof import('./apikeys.docs.example.d.ts');
    const k = { baseUrl: base, keyId: key.id, secret: key.secret };
    const portfolio = await cvRequest<{ holdings: unknown[] }>(k, 'GET', '/api/portfolio');
    expect(Array.isArray(portfolio.holdings)).toBe(true);
    const body = { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' };
    const idem = { 'Idempotency-Key': randomUUID() };
    const first = await cvRequest<{ id: string }>(k, 'POST', '/api/orders', body, idem);
    const again = await cvRequest<{ id: string }>(k, 'POST', '/api/orders', body, idem);
    expect(again.id).toBe(first.id);
    await expect(cvRequest(k, 'POST', '/api/wallet/withdrawals', { asset: 'BTC', amount: '0.001', address: 'bc1qexample' })).rejects.toThrow(
      /^SCOPE_NOT_ALLOWED: /,
    );
    await expect(cvRequest({ ...k, secret: 'cvs_wrong' }, 'GET', '/api/portfolio')).rejects.toThrow(/^SIGNATURE_INVALID: /);
  });

  it('lists every route of the allow-list in its scope table', () => {
    const table = doc.slice(doc.indexOf('## Scopes'), doc.indexOf('## Signing a request'));
    for (const [scope, routes] of Object.entries(API_KEY_SCOPE_ROUTES)) {
      const row = table.split('\n').find((l) => l.startsWith(`| \`${scope}\``)) ?? '';
      const listed = [...row.matchAll(/`(GET|POST|PATCH|PUT|DELETE) ([^`]+)`/g)].map((m) => `${m[1]} ${m[2]}`);
      expect(listed.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    }
  });

  it('the OpenAPI document declares the signed-request scheme on exactly the operations a scope allows', async () => {
    const openapi = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(openapi.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'CV-ACCESS-KEY' });
    expect(openapi.components.securitySchemes.apiKeySignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'CV-ACCESS-SIGN' });
    const keyed = (path: string, method: string) => (openapi.paths[path][method].security as Record<string, string[]>[]).find((r) => 'apiKey' in r);
    expect(keyed('/api/orders', 'post')).toEqual({ apiKey: ['trade'], apiKeyTimestamp: [], apiKeyNonce: [], apiKeySignature: [] });
    expect(keyed('/api/portfolio', 'get')?.apiKey).toEqual(['read']);
    for (const [path, method] of [
      ['/api/wallet/withdrawals', 'post'],
      ['/api/wallet/transfers', 'post'],
      ['/api/api-keys', 'post'],
      ['/api/auth/step-up', 'post'],
    ] as const) {
      expect(keyed(path, method), `${method} ${path}`).toBeUndefined();
    }
  });
});
