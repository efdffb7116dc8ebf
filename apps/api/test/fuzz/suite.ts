import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signIn } from '../auth-helpers.ts';
import { createFuzzWorld, type FuzzWorld, fuzzOperation, type Operation } from './harness.ts';
import { KNOWN_ISSUES } from './known-issues.ts';

/** Registers one test per operation selected by `pick`, then checks the books and the process after them. */
export function fuzzSuite(name: string, pick: (op: Operation) => boolean): void {
  describe(name, () => {
    let w: FuzzWorld;
    const stats: string[] = [];
    beforeAll(async () => {
      w = await createFuzzWorld();
    }, 120_000);
    afterAll(async () => {
      if (process.env.FUZZ_VERBOSE) console.log(stats.join('\n'));
      await w?.close();
    });

    it('finds the operations in /api/openapi.json', () => {
      expect(w.operations.filter(pick).length).toBeGreaterThan(5);
    });

    // The document is only known once the app is up, so one test walks every selected operation in turn and
    // collects failures, reporting all of them (each with its request) instead of stopping at the first.
    it('no 5xx, no stack traces, contract-shaped errors on every operation', async () => {
      const failures: string[] = [];
      const seen = new Map<string, string>();
      for (const op of w.operations.filter(pick)) {
        const t0 = Date.now();
        try {
          const r = await fuzzOperation(w, op, KNOWN_ISSUES, seen);
          stats.push(`${op.key}: ${r.corpus} corpus + ${r.generated} generated in ${Date.now() - t0} ms`);
        } catch (err) {
          failures.push(err instanceof Error ? err.message : String(err));
        }
        // An operation that ends a shared session would turn the rest of the run into 401s: name it, sign in again.
        for (const who of ['user', 'admin'] as const) {
          const s = w[who];
          if ((await asUser(w.t, s).inject({ method: 'GET', url: '/api/auth/me' })).statusCode === 401) {
            failures.push(`${op.key} ended the shared ${who} session: list it in SESSION_ENDING (harness.ts)`);
            w[who] = who === 'admin' ? await createAdmin(w.t) : await signIn(w.t, s.user.email, s.password);
          }
        }
      }
      for (const [id, example] of seen) console.warn(`known issue ${id} still happens, e.g. ${example.slice(0, 400)}`);
      expect(failures, failures.join('\n\n')).toEqual([]);
    }, 600_000);

    it('leaves the books reconciled, the prototypes clean and both sessions working', async () => {
      const rec = await asUser(w.t, w.admin).inject({ method: 'GET', url: '/api/admin/reconciliation' });
      expect(rec.statusCode).toBe(200);
      expect(rec.json().ok, rec.body).toBe(true);
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      for (const s of [w.user, w.admin]) {
        expect((await asUser(w.t, s).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
      }
    });
  });
}

/** Accounts, administration, development and platform routes; the other file takes every other operation. */
export const isAccountsAdmin = (path: string): boolean =>
  /^\/api\/(auth|admin|dev|fly)\//.test(path) || !path.startsWith('/api/') || /^\/api\/(health|ping|csrf|config)$/.test(path);
