import { randomUUID } from 'node:crypto';
import { API_KEY_SCOPE_ROUTES, type ApiKeyScope, apiRoutes, type RouteDef, routePath, scopesAllowing } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, signed, type TestKey } from '../../../test/api-keys.ts';
import { createAdmin, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';

// Every route of the contract's table, and the routes outside it, called with a signed request by a key of each
// scope combination (of an administrator with 2FA, so that no refusal comes from the account's own rights): exactly
// the routes its scopes allow (packages/contract/src/apikey-scopes.ts) get past the key check, everything else is
// 403 SCOPE_NOT_ALLOWED before any handler or validation runs.

const table: { name: string; route: RouteDef }[] = Object.entries(apiRoutes).flatMap(([group, routes]) =>
  Object.entries(routes as Record<string, RouteDef>).map(([name, route]) => ({ name: `${group}.${name}`, route })),
);
/** Routes the API serves outside the table (ops, auth refresh, development tools): a key reaches none of them. */
const outside: { name: string; route: RouteDef }[] = [
  { name: 'auth.refresh', route: { method: 'POST', path: '/api/auth/refresh', response: {} } },
  { name: 'ops.csrf', route: { method: 'GET', path: '/api/csrf', response: {} } },
  { name: 'ops.config', route: { method: 'GET', path: '/api/config', response: {} } },
  { name: 'fly.status', route: { method: 'GET', path: '/api/fly/status', response: {} } },
  { name: 'dev.market', route: { method: 'POST', path: '/api/dev/market/bitcoin', response: {} } },
  { name: 'dev.outbox', route: { method: 'GET', path: '/api/dev/outbox', response: {} } },
];

/** Groups and routes that move funds out, change security or the account, manage keys, or act as an operator. */
const NEVER = [
  /^wallet\.(createWithdrawal|cancelWithdrawal|createTransfer|createDeposit|devCompleteDeposit)$/,
  /^security\./,
  /^auth\./,
  /^apiKeys\./,
  /^admin\./,
  /^setup\./,
  /^pol\./,
  /^alerts\./,
  /^watchlist\./,
  /^notifications\./,
];

/** The error code of an answer, if it is the contract's error body (a CSV export is not JSON). */
function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } })?.error?.code;
  } catch {
    return undefined;
  }
}

/** Every path parameter filled: an asset, a legal document kind and version, and made-up ids for the rest. */
const PARAM_VALUES: Record<string, string> = { assetId: 'bitcoin', kind: 'terms', version: '1', year: '2026' };
const urlOf = (r: RouteDef) =>
  routePath(r.path, Object.fromEntries([...r.path.matchAll(/:(\w+)/g)].map(([, name]) => [name, PARAM_VALUES[name!] ?? randomUUID()])));

let t: TestContext;
let admin: TestSession;
const keys = new Map<string, TestKey>();
const COMBOS: ApiKeyScope[][] = [['read'], ['trade'], ['read', 'trade']];

beforeAll(async () => {
  t = await createTestApp({ API_KEY_RATE_LIMIT_PER_MINUTE: '100000' });
  admin = await createAdmin(t);
  await stepUp(t, admin);
  for (const scopes of COMBOS) keys.set(scopes.join('+'), await createApiKey(t, admin, { scopes }));
});
afterAll(async () => t?.close());

describe('the allow-list of API key scopes', () => {
  it('names only reads and order routes; nothing that withdraws, transfers, changes security or the account, manages keys or administers', () => {
    const allowed = table.filter(({ route }) => scopesAllowing(['read', 'trade'], route.method, route.path).length > 0);
    expect(allowed.length).toBe(API_KEY_SCOPE_ROUTES.read.length + API_KEY_SCOPE_ROUTES.trade.length);
    for (const { name, route } of allowed) {
      expect(
        NEVER.some((r) => r.test(name)),
        name,
      ).toBe(false);
      if (route.method !== 'GET') expect(name, `${name} writes`).toMatch(/^orders\./);
    }
    for (const route of API_KEY_SCOPE_ROUTES.read) expect(route.method).toBe('GET');
  });

  for (const scopes of COMBOS) {
    it(`a ${scopes.join(' + ')} key reaches exactly the routes its scopes allow, over the whole route table`, async () => {
      const key = keys.get(scopes.join('+'))!;
      const reached: string[] = [];
      const refused: string[] = [];
      for (const { name, route } of [...table, ...outside]) {
        const res = await signed(t, key, {
          method: route.method,
          url: urlOf(route),
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const code = errorCode(res.body);
        if (code === 'SCOPE_NOT_ALLOWED') {
          expect(res.statusCode).toBe(403);
          expect(res.json().error).toMatchObject({ message: expect.stringContaining(route.method), requestId: expect.any(String) });
          refused.push(name);
        } else {
          // Past the key check: the route's own answer (a 404 for a made-up id, a 400 for an empty body…), never a
          // refusal of the signature, the key or the session.
          expect(
            ['SIGNATURE_INVALID', 'API_KEY_INVALID', 'NONCE_REUSED', 'UNAUTHENTICATED', 'CSRF_INVALID', 'RATE_LIMITED'],
            `${name}: ${res.body}`,
          ).not.toContain(code);
          reached.push(name);
        }
      }
      const expected = table.filter(({ route }) => scopesAllowing(scopes, route.method, route.path).length > 0).map((r) => r.name);
      expect(reached.sort()).toEqual(expected.sort());
      expect(refused.length).toBe(table.length + outside.length - expected.length);
    });
  }

  it('a key without the read scope learns that funds are short, never the balance', async () => {
    const refusal = async (scopes: string, url: string, body: unknown) => {
      const res = await signed(t, keys.get(scopes)!, { method: 'POST', url, body, headers: { 'idempotency-key': randomUUID() } });
      expect(res.statusCode, res.body).toBe(422);
      const { requestId: _, ...error } = res.json().error;
      return error;
    };
    // BTC pinned: a tick between the two keys' requests would change what the order needs.
    const pinned = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
    expect(pinned.statusCode, pinned.body).toBe(200);
    const quote = { symbol: 'BTC/USD', side: 'buy', amount: '0.01' };
    const limit = { symbol: 'BTC/USD', side: 'sell', type: 'limit', amount: '0.01', price: '1000000' };
    for (const [url, body, asset] of [
      ['/api/quotes', quote, 'USD'],
      ['/api/orders', limit, 'BTC'],
    ] as const) {
      const blind = await refusal('trade', url, body);
      expect(blind).toMatchObject({
        code: 'INSUFFICIENT_FUNDS',
        message: expect.stringMatching(/^Insufficient funds: this order needs .+, more than is available$/),
      });
      expect(blind.details).toEqual({ asset, required: expect.any(String) });
      const reader = await refusal('read+trade', url, body);
      expect(reader).toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: expect.stringMatching(/ and (\$0\.00|0 BTC) is available$/) });
      expect(reader.details).toEqual({ asset, required: blind.details.required, available: '0' });
    }
  });

  it('no key withdraws, transfers, changes security or creates keys, even with a fresh step-up on its owner’s session', async () => {
    const key = keys.get('read+trade')!;
    const attempts: [string, string, unknown][] = [
      ['POST', '/api/wallet/withdrawals', { asset: 'BTC', amount: '0.1', address: 'bc1qexample' }],
      ['POST', '/api/wallet/transfers', { recipientEmail: 'x@example.test', asset: 'USD', amount: '1' }],
      ['POST', '/api/wallet/withdrawal-addresses', { asset: 'BTC', address: 'bc1qexample', label: 'x' }],
      ['PUT', '/api/security/anti-phishing', { code: 'hello' }],
      ['POST', '/api/auth/2fa/disable', {}],
      ['POST', '/api/auth/change-password', { currentPassword: 'x', newPassword: 'y' }],
      ['POST', '/api/api-keys', { label: 'child', scopes: ['read', 'trade'] }],
      ['DELETE', `/api/api-keys/${key.id}`, undefined],
      ['POST', '/api/auth/step-up', { password: admin.password }],
      ['POST', `/api/admin/users/${admin.user.id}/unfreeze`, { reason: 'x' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await signed(t, key, { method: method as 'POST', url, body });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('SCOPE_NOT_ALLOWED');
    }
  });
});
