/**
 * Signed requests from tests (docs/api-keys.md), through inject:
 *
 *   const key = await createApiKey(t, alice, { scopes: ['read', 'trade'] });   // { id, secret, ... } via POST /api/api-keys
 *   const res = await signed(t, key, { method: 'POST', url: '/api/orders', body: { ... } });
 *
 * `signed` signs timestamp, nonce, method, path with query and the body string exactly as it sends them; every field
 * can be overridden (a stale timestamp, a reused nonce, a wrong secret, another client address, extra headers).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { type ApiKeyScope, apiKeySigningPayload } from '@cryptovault/contract';
import { asUser, type TestSession } from './auth-helpers.ts';
import type { TestContext } from './helpers.ts';

export interface TestKey {
  id: string;
  secret: string;
}

export async function createApiKey(
  t: TestContext,
  session: TestSession,
  body: { label?: string; scopes?: ApiKeyScope[]; ipAllowlist?: string[]; expiresInDays?: number | null } = {},
): Promise<TestKey> {
  const res = await asUser(t, session).inject({ method: 'POST', url: '/api/api-keys', payload: { label: 'test bot', scopes: ['read'], ...body } });
  if (res.statusCode !== 201) throw new Error(`create API key: ${res.statusCode} ${res.body}`);
  const { key, secret } = res.json();
  return { id: key.id, secret };
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function sign(secret: string, p: { timestamp: string; nonce: string; method: string; path: string; body: string }): string {
  return createHmac('sha256', secret).update(apiKeySigningPayload(p)).digest('hex');
}

export interface SignedOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  timestamp?: string;
  nonce?: string;
  /** Sign with this secret instead of the key's. */
  secret?: string;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

export function signed(t: TestContext, key: TestKey, o: SignedOptions): Promise<LightMyRequestResponse> {
  const body = o.body === undefined ? '' : JSON.stringify(o.body);
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? newNonce();
  const signature = sign(o.secret ?? key.secret, { timestamp, nonce, method: o.method, path: o.url, body });
  return t.app.inject({
    method: o.method,
    url: o.url,
    remoteAddress: o.remoteAddress ?? '127.0.0.1',
    ...(body ? { payload: body } : {}),
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      'cv-access-key': key.id,
      'cv-access-timestamp': timestamp,
      'cv-access-nonce': nonce,
      'cv-access-sign': signature,
      ...(o.headers ?? {}),
    },
  });
}
