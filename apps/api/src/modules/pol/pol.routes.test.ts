import { type InclusionProof, recordHash, type RootRecord, verifyInclusionProof, verifyRecordSignature } from '@cryptovault/contract/pol/verify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, asUser, createAdmin, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit } from '../ledger/index.ts';

let t: TestContext;
let admin: TestSession;
let alice: TestSession;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createAdmin(t);
  alice = await signUpVerified(t);
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'BTC', amount: '0.5', reference: 'pol-routes:alice' }));
});
afterAll(async () => {
  await t?.close();
});

const anon = (url: string) => t.app.inject({ method: 'GET', url });

/** The whole suite shares one PostgreSQL database: another file's snapshot may be in progress (409), so try again. */
async function snapshotAs(s: TestSession, url = '/api/admin/proof-of-liabilities/snapshots') {
  for (let i = 0; ; i++) {
    const res = await asUser(t, s).inject({ method: 'POST', url });
    if (res.statusCode !== 409 || i >= 50) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('proof-of-liabilities API', () => {
  it('an administrator takes a snapshot (audited, CSRF-checked); others cannot', async () => {
    expect((await asUser(t, alice).inject({ method: 'POST', url: '/api/admin/proof-of-liabilities/snapshots' })).statusCode).toBe(403);
    const noCsrf = await asUser(t, admin).inject({ method: 'POST', url: '/api/admin/proof-of-liabilities/snapshots', headers: { 'x-csrf-token': '' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_INVALID');
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/proof-of-liabilities/snapshots' })).statusCode).toBe(401);

    const res = await snapshotAs(admin);
    expect(res.statusCode).toBe(201);
    const record = res.json() as RootRecord;
    expect(await verifyRecordSignature(record)).toBe(true);
    const audit = await rows<{ actor_id: string; target_id: string }>(
      t.platform.database.db,
      sql`select actor_id::text as actor_id, target_id from audit_log where action = 'pol.snapshot' and target_id = ${record.snapshotId}`,
    );
    expect(audit).toEqual([{ actor_id: admin.user.id, target_id: record.snapshotId }]);
  });

  it('a user downloads their proof and it verifies against the publicly published root and key', async () => {
    const made = (await snapshotAs(admin)).json() as RootRecord;
    const pub = (await anon('/api/proof-of-liabilities')).json();
    expect(pub.latest).not.toBeNull();
    expect(pub.proven).toMatch(/Proven/);
    expect(pub.declared).toMatch(/not proven/);

    expect((await anon('/api/proof-of-liabilities/my-proof')).statusCode).toBe(401);
    const res = await asBearer(t, alice).inject({ method: 'GET', url: `/api/proof-of-liabilities/my-proof?snapshotId=${made.snapshotId}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const proof = res.json() as InclusionProof;
    expect(proof.userId).toBe(alice.user.id);
    expect(proof.balances[proof.root.assets.findIndex((a) => a.symbol === 'BTC')]).toBe('0.5');
    const listed = (await anon('/api/proof-of-liabilities/history?limit=200')).json().items.find((i: RootRecord) => i.snapshotId === made.snapshotId);
    const r = await verifyInclusionProof(proof, { expectedRootHash: listed.rootHash, expectedPublicKey: pub.publicKey });
    expect(r.errors).toEqual([]);

    // Another user without balances has no leaf; an unknown snapshot is a 404 in the contract's shape.
    const bob = await signUpVerified(t);
    const none = await asBearer(t, bob).inject({ method: 'GET', url: `/api/proof-of-liabilities/my-proof?snapshotId=${made.snapshotId}` });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toMatch(/no balances/);
    const unknown = await asBearer(t, alice).inject({
      method: 'GET',
      url: '/api/proof-of-liabilities/my-proof?snapshotId=00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    const bad = await asBearer(t, alice).inject({ method: 'GET', url: '/api/proof-of-liabilities/my-proof?snapshotId=nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('development and test have a trigger for the interval job snapshot (absent where dev tools are off)', async () => {
    const before = (await anon('/api/proof-of-liabilities')).json().latest?.seq ?? 0;
    let res = await t.app.inject({ method: 'POST', url: '/api/dev/proof-of-liabilities/snapshots' });
    for (let i = 0; res.statusCode === 409 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      res = await t.app.inject({ method: 'POST', url: '/api/dev/proof-of-liabilities/snapshots' });
    }
    expect(res.statusCode).toBe(201);
    expect(res.json().seq).toBeGreaterThan(before);
  });

  it('publishes an append-only history whose records are signed and chained', async () => {
    expect((await snapshotAs(admin)).statusCode).toBe(201);
    expect((await snapshotAs(admin)).statusCode).toBe(201);
    const page1 = (await anon('/api/proof-of-liabilities/history?limit=2')).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextBeforeSeq).toBe(page1.items[1].seq);
    const page2 = (await anon(`/api/proof-of-liabilities/history?limit=2&beforeSeq=${page1.nextBeforeSeq}`)).json();
    const all = [...page1.items, ...page2.items];
    for (let i = 0; i < all.length; i++) {
      expect(await verifyRecordSignature(all[i])).toBe(true);
      if (i + 1 < all.length) expect(all[i].previousHash).toBe(await recordHash(all[i + 1]));
    }
    expect((await anon('/api/proof-of-liabilities/history?limit=0')).statusCode).toBe(400);
  });

  it('reserves are declared by an administrator (audited), validated, and shown beside liabilities as declared', async () => {
    const declare = (s: TestSession, payload: Record<string, unknown>) =>
      asUser(t, s).inject({ method: 'POST', url: '/api/admin/proof-of-liabilities/reserves', payload });
    expect((await declare(alice, { asset: 'BTC', chain: 'bitcoin', address: 'bc1qx', balance: '1' })).statusCode).toBe(403);
    for (const bad of [
      { asset: 'BTC', chain: 'bitcoin', address: 'bc1qx', balance: '-1' },
      { asset: 'B!', chain: 'bitcoin', address: 'bc1qx', balance: '1' },
      { asset: 'BTC', chain: '', address: 'bc1qx', balance: '1' },
      { asset: 'BTC', chain: 'bitcoin', address: 'bc1qx', balance: '1e3' },
    ]) {
      const r = await declare(admin, bad);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_ERROR');
    }
    const ok = await declare(admin, {
      asset: 'btc',
      chain: 'bitcoin',
      address: 'bc1qproofcold',
      balance: '0.25',
      message: 'CryptoVault reserves 2026-12',
      signature: 'H1sig==',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ asset: 'BTC', balance: '0.25', signature: 'H1sig==' });
    // A later declaration for the same address replaces the earlier one.
    expect((await declare(admin, { asset: 'BTC', chain: 'bitcoin', address: 'bc1qproofcold', balance: '0.75' })).statusCode).toBe(201);
    const audit = await rows<{ n: number }>(
      t.platform.database.db,
      sql`select count(*)::int as n from audit_log where action = 'pol.reserve.declare' and actor_id = ${admin.user.id}`,
    );
    expect(audit[0]!.n).toBe(2);

    const pub = (await anon('/api/proof-of-liabilities')).json();
    const btc = pub.assets.find((a: { asset: string }) => a.asset === 'BTC');
    const addr = btc.reserves.filter((r: { address: string }) => r.address === 'bc1qproofcold');
    expect(addr).toHaveLength(1);
    expect(addr[0].balance).toBe('0.75');
    expect(btc.declaredReserves).not.toBeNull();
    expect(Number.isNaN(Number(btc.ratio))).toBe(false);
  });
});
