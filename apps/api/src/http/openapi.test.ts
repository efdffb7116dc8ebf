import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { API_KEY_SCOPES, scopesAllowing } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/deploy/paths.ts';
import { createTestApp, type TestContext } from '../../test/helpers.ts';
import { authRequirementOf, operationIdOf } from './openapi.ts';

/**
 * /api/openapi.json as a client generator reads it: every operation has an id, its security requirement, and the
 * contract's error responses; and a client generated from it (openapi-typescript) type-checks a typed call site.
 */
type Op = {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses?: Record<string, { $ref?: string }>;
  requestBody?: unknown;
};
type Doc = {
  info: { description: string };
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

let t: TestContext;
let doc: Doc;
const operations: { method: string; path: string; op: Op }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Doc;
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) operations.push({ method, path, op });
});
afterAll(async () => t?.close());

const WRITES = new Set(['post', 'put', 'patch', 'delete']);

describe('/api/openapi.json', () => {
  it('gives every operation a unique, readable operationId', () => {
    expect(operations.length).toBeGreaterThan(60);
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationIdOf('get', '/api/alerts/{id}')).toBe('getAlertsById');
    expect(operationIdOf('post', '/api/auth/2fa/enable')).toBe('postAuth2faEnable');
    expect(operationIdOf('get', '/health/live')).toBe('getRootHealthLive');
  });

  it('declares how to authenticate on every protected operation: cookie (+ X-CSRF-Token on writes) or Bearer, or an API key where a scope allows it', () => {
    const protectedOps = operations.filter((o) => authRequirementOf(o.path.replace(/\{([^}]+)\}/g, ':$1')) !== 'public');
    expect(protectedOps.length).toBeGreaterThan(50);
    for (const { method, path, op } of protectedOps) {
      const cookie = WRITES.has(method) && path !== '/api/webhooks/nowpayments' ? { cookieAuth: [], csrfToken: [] } : { cookieAuth: [] };
      // A signed request with an API key, where a key scope allows the operation (packages/contract/src/apikey-scopes.ts).
      const scopes = scopesAllowing(API_KEY_SCOPES, method, path.replace(/\{([^}]+)\}/g, ':$1'));
      const keyed = scopes.length ? [{ apiKey: scopes, apiKeyTimestamp: [], apiKeyNonce: [], apiKeySignature: [] }] : [];
      expect(op.security, `${method} ${path}`).toEqual([cookie, { bearerAuth: [] }, ...keyed]);
      expect(op.responses?.['401'], `${method} ${path}`).toBeDefined();
    }
    expect(doc.components.securitySchemes).toMatchObject({
      cookieAuth: { type: 'apiKey', in: 'cookie', name: 'access_token' },
      csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
    });
    expect(doc.paths['/api/crypto']?.get?.security).toEqual([]);
    // A public write: nothing needed anonymously, and a signed-in browser still sends its CSRF token.
    expect(doc.paths['/api/auth/logout']?.post?.security).toEqual([{}, { cookieAuth: [], csrfToken: [] }, { bearerAuth: [] }]);
    // Credential routes are CSRF-exempt (they authenticate by what they are sent): nothing at all.
    expect(doc.paths['/api/auth/login']?.post?.security).toEqual([]);
  });

  it('matches what the routes really do for an anonymous caller', async () => {
    // GETs need no body, so validation cannot answer before the auth guard does: the answer shows the requirement.
    for (const { path } of operations.filter((o) => o.method === 'get')) {
      // A well-formed id: a malformed one would be refused by validation before the guard is asked.
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await t.app.inject({ method: 'GET', url });
      const protectedDoc = authRequirementOf(path.replace(/\{([^}]+)\}/g, ':$1')) !== 'public';
      const unauthenticated = res.statusCode === 401 && res.json().error?.code === 'UNAUTHENTICATED';
      expect(`${path}: ${unauthenticated ? 'protected' : 'public'}`).toBe(`${path}: ${protectedDoc ? 'protected' : 'public'}`);
    }
  });

  it("documents the contract's error shape on every operation", () => {
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
    for (const { method, path, op } of operations) {
      for (const status of ['400', '500', '503']) expect(op.responses?.[status], `${method} ${path} ${status}`).toBeDefined();
      if (path.includes('{')) expect(op.responses?.['404'], `${method} ${path} 404`).toBeDefined();
    }
  });

  it('describes every tag, and links nowhere outside the repository', () => {
    const used = new Set(operations.flatMap((o) => o.op.tags ?? []));
    for (const tag of used) expect(doc.tags.find((x) => x.name === tag)?.description, tag).toMatch(/\w{3}/);
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/\.\.\/shared|shared\/api\.md/);
    expect(doc.info.description).toMatch(/X-CSRF-Token/);
  });
});

describe('a client generated from the document (openapi-typescript)', () => {
  const dir = join(REPO_ROOT, 'apps/api/.tmp', `openapi-client-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks a typed call site, and rejects a wrong one', { timeout: 120_000 }, async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0])));
    writeFileSync(
      join(dir, 'call-site.ts'),
      `import type { components, operations, paths } from './schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

// A transfer: the body by operation id, the answer and the error from the document.
export const body: Json<operations['postWalletTransfers']['requestBody']> = { recipientEmail: 'bob@example.test', asset: 'BTC', amount: '0.0015' };
export type Created = Json<operations['postWalletTransfers']['responses'][201]>;
export const amount = (t: Created): string => t.amount;
export type ApiError = components['schemas']['Error'];
export const failed: Json<operations['postWalletTransfers']['responses'][401]> = { error: { code: 'UNAUTHENTICATED', message: 'Sign in to continue', requestId: 'r1' } };
export const asError: ApiError = failed;
export type Balances = Json<paths['/api/wallet/balances']['get']['responses'][200]>;
export const total = (b: Balances): string => b.totalUsd;
export const limited: Json<operations['getWalletBalances']['responses'][429]> = asError;
`,
    );
    writeFileSync(
      join(dir, 'wrong.ts'),
      `import type { operations } from './schema.js';
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
// An amount as a JSON number: the contract says decimal string.
export const body: Json<operations['postWalletTransfers']['requestBody']> = { recipientEmail: 'bob@example.test', asset: 'BTC', amount: 0.0015 };
`,
    );
    const tsconfig = (files: string[]) =>
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false },
        files,
      });
    writeFileSync(join(dir, 'tsconfig.json'), tsconfig(['call-site.ts']));
    writeFileSync(join(dir, 'tsconfig.wrong.json'), tsconfig(['wrong.ts']));
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const run = (project: string) => {
      try {
        execFileSync(process.execPath, [tsc, '-p', join(dir, project)], { stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stdout?: Buffer }).stdout ?? err);
      }
    };
    expect(run('tsconfig.json')).toBe('');
    expect(run('tsconfig.wrong.json')).toMatch(/wrong\.ts.*Type 'number' is not assignable to type 'string'/s);
  });
});
