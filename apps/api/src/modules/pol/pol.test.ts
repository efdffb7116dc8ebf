import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fromUnits, recordHash, toUnits, verifyInclusionProof, verifyRecordSignature } from '@cryptovault/contract/pol/verify';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { createDatabase, type Database, wrapPglite } from '../../platform/db/client.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit, D, hold, reconcile, transfer } from '../ledger/index.ts';
import { buildLevels, inclusionProof, latestRoot, POL_DECIMALS, rootBySnapshot, rootHistory, takeSnapshot } from './pol.service.ts';
import { decodeSums, encodeSums, leafNode, nextLevel, type TreeNode } from './pol.tree.ts';

/** The whole suite shares one PostgreSQL database: another file's snapshot may be in progress (409), so try again. */
async function snapshot(...args: Parameters<typeof takeSnapshot>): ReturnType<typeof takeSnapshot> {
  for (let i = 0; ; i++) {
    try {
      return await takeSnapshot(...args);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CONFLICT' || i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.platform.database.db;
/** Assets only this file posts in. */
const ASSETS = ['PLTA', 'PLTB', 'PLTC'];

describe('proof-of-liabilities snapshots', () => {
  it("property: the leaves' sums equal the ledger's user liabilities, and every account's proof verifies against the signed root", async () => {
    const users = [await insertUser(t.platform.database), await insertUser(t.platform.database), await insertUser(t.platform.database)];
    const amount = fc.integer({ min: 1, max: 10_000_000 }).map((n) => new D(n).div(1000).toFixed());
    const op = fc.record({ k: fc.constantFrom('credit', 'hold', 'transfer'), u: fc.nat(2), v: fc.nat(2), asset: fc.constantFrom(...ASSETS), amount });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        for (const [n, o] of ops.entries()) {
          const userId = users[o.u]!.id;
          const reference = `pol-test:${n}:${Math.random()}`;
          await db()
            .transaction(async (tx) => {
              if (o.k === 'credit') await credit(tx, { userId, asset: o.asset, amount: o.amount, reference });
              else if (o.k === 'hold') await hold(tx, { userId, asset: o.asset, amount: o.amount, reference });
              else if (o.u !== o.v) await transfer(tx, { fromUserId: userId, toUserId: users[o.v]!.id, asset: o.asset, amount: o.amount, reference });
            })
            .catch((err: { code?: string }) => {
              if (err.code !== 'INSUFFICIENT_FUNDS') throw err;
            });
        }
        const record = await snapshot(t.platform, { trigger: 'schedule', requestedBy: null });
        // The published totals are the ledger's user liabilities. Read after the fact, so only for assets no other test
        // file posts in (the whole suite shares one PostgreSQL database); the snapshot itself checks every asset.
        const rec = await reconcile(db());
        for (const item of rec.items.filter((i) => ASSETS.includes(i.asset))) {
          const i = record.assets.findIndex((a) => a.symbol === item.asset);
          expect(record.rootSums[i]).toBe(toUnits(new D(item.usersTotal).toFixed(), POL_DECIMALS).toString());
        }
        // And the sum of the stored leaves is the root's.
        const leaves = await rows<{ sums: string }>(db(), sql`select sums from pol_leaves where snapshot_id = ${record.snapshotId}::uuid`);
        expect(leaves).toHaveLength(record.leafCount);
        const total = record.assets.map((_, i) => leaves.reduce((s, l) => s + decodeSums(l.sums)[i]!, 0n).toString());
        expect(total).toEqual(record.rootSums);
        for (const u of users) {
          const accounts = await rows<{ n: number }>(db(), sql`select count(*)::int as n from ledger_accounts where user_id = ${u.id}::uuid`);
          if (accounts[0]!.n === 0) {
            await expect(inclusionProof(db(), u.id, record.snapshotId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
            continue;
          }
          const proof = await inclusionProof(db(), u.id, record.snapshotId);
          const r = await verifyInclusionProof(proof, { expectedRootHash: record.rootHash, expectedPublicKey: record.publicKey });
          expect(r.errors).toEqual([]);
          // The proof states the user's own balances at the snapshot.
          const own = await rows<{ asset: string; total: string }>(
            db(),
            sql`select asset, (available + locked)::text as total from ledger_accounts where user_id = ${u.id}::uuid`,
          );
          for (const b of own) {
            const i = proof.root.assets.findIndex((a) => a.symbol === b.asset);
            expect(proof.balances[i]).toBe(fromUnits(toUnits(new D(b.total).toFixed(), POL_DECIMALS), POL_DECIMALS));
          }
        }
      }),
      { numRuns: 5 },
    );
  }, 120_000);

  it('reads the balances in pages, pipelined (the next page read while this one is hashed): every user once, whatever the page size', async () => {
    const users = await Promise.all(Array.from({ length: 9 }, () => insertUser(t.platform.database)));
    for (const [i, u] of users.entries()) {
      await db().transaction((tx) => credit(tx, { userId: u.id, asset: 'PLTA', amount: `${i + 1}.5`, reference: `pol-test:pages:${i}` }));
    }
    // A page size of 1 ends on a full page (then an empty one); the others on a partial page, wherever the users fall.
    for (const pageSize of [1, 2, 4, 5]) {
      const record = await snapshot(t.platform, { trigger: 'schedule', requestedBy: null, pageSize });
      const [n] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from pol_leaves where snapshot_id = ${record.snapshotId}::uuid`);
      expect(n!.n).toBe(record.leafCount);
      for (const [i, u] of users.entries()) {
        const proof = await inclusionProof(db(), u.id, record.snapshotId);
        expect(proof.balances[record.assets.findIndex((a) => a.symbol === 'PLTA')]).toBe(`${i + 1}.5`);
        expect((await verifyInclusionProof(proof, { expectedRootHash: record.rootHash, expectedPublicKey: record.publicKey })).ok).toBe(true);
      }
    }
  }, 120_000);

  it('builds the tree a subtree per page of leaves, node for node as one level at a time: across pages, passes and odd levels', async () => {
    // 2048 leaves make one page and exactly one pass of 11 heights; 4099 make three pages (the last with 3) and a second pass.
    for (const n of [1, 2, 3, 5, 2048, 2049, 4099]) {
      await db()
        .transaction(async (tx) => {
          // Rolled back: no root is ever published for these leaves (the deferred foreign keys are never checked).
          const snapshotId = randomUUID();
          const leaves = Array.from({ length: n }, (_, i) => leafNode(randomBytes(32), randomUUID(), [BigInt(i), 1n]));
          for (let s = 0; s < n; s += 2000) {
            const batch = leaves.slice(s, s + 2000).map((l, k) => ({ idx: s + k, user_id: randomUUID(), hash: l.hash, sums: encodeSums(l.sums) }));
            await tx.execute(sql`insert into pol_leaves (snapshot_id, idx, user_id, salt, hash, sums)
              select ${snapshotId}::uuid, idx, user_id, '00', hash, sums from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(idx int, user_id uuid, hash text, sums text)`);
          }
          const built = await buildLevels(tx, snapshotId, n, 2);
          const levels: TreeNode[][] = [leaves];
          while (levels.at(-1)!.length > 1) levels.push(nextLevel(levels.at(-1)!, levels.length - 1, 2));
          expect(built.depth).toBe(levels.length - 1);
          expect(built.node).toEqual(levels.at(-1)![0]);
          const stored = await rows<{ height: number; idx: number; hash: string; sums: string }>(
            tx,
            sql`select height::int as height, idx, hash, sums from pol_nodes where snapshot_id = ${snapshotId}::uuid order by height, idx`,
          );
          expect(stored.map((r) => `${r.height}:${r.idx}:${r.hash}:${r.sums}`)).toEqual(
            levels.slice(1).flatMap((level, h) => level.map((node, idx) => `${h + 1}:${idx}:${node.hash}:${encodeSums(node.sums)}`)),
          );
          tx.rollback();
        })
        .catch((err: Error) => expect(err.message).toMatch(/rollback/i));
    }
  }, 120_000);

  it('chains each published root to the previous one, and the history cannot be rewritten', async () => {
    const a = await snapshot(t.platform, { trigger: 'schedule', requestedBy: null });
    let last = a;
    // Past seq 9 → 10 (numbers, not text, decide which root is the latest).
    while (last.seq < 12) last = await snapshot(t.platform, { trigger: 'schedule', requestedBy: null });
    expect((await latestRoot(db()))!.seq).toBeGreaterThanOrEqual(last.seq);
    const history = await rootHistory(db(), 200);
    const bySeq = new Map(history.map((r) => [r.seq, r]));
    for (let seq = a.seq + 1; seq <= last.seq; seq++) {
      const prev = bySeq.get(seq - 1)!;
      const { trigger: _t, publishedAt: _p, ...record } = bySeq.get(seq)!;
      expect(record.previousHash).toBe(await recordHash(prev));
      expect(await verifyRecordSignature(record)).toBe(true);
    }
    const cause = { cause: expect.objectContaining({ message: expect.stringMatching(/append-only/) }) };
    await expect(db().execute(sql`update pol_roots set root_hash = ${'0'.repeat(64)} where seq = ${a.seq}`)).rejects.toMatchObject(cause);
    await expect(db().execute(sql`delete from pol_leaves where snapshot_id = ${a.snapshotId}::uuid`)).rejects.toMatchObject(cause);
  });

  it('publishes nothing when the ledger does not reconcile', async () => {
    const u = await insertUser(t.platform.database);
    await db().transaction((tx) => credit(tx, { userId: u.id, asset: 'DOGE', amount: '10', reference: 'pol-test:r' }));
    const before = await latestRoot(db());
    await db()
      .transaction(async (tx) => {
        await tx.execute(sql`update ledger_accounts set available = available + 1 where user_id = ${u.id} and asset = 'DOGE'`);
        await expect(
          snapshot(
            { ...t.platform, database: { ...t.platform.database, db: tx as unknown as typeof t.platform.database.db } },
            { trigger: 'schedule', requestedBy: null },
          ),
        ).rejects.toMatchObject({ code: 'INVALID_STATE' });
        tx.rollback();
      })
      .catch((err: Error) => expect(err.message).toMatch(/rollback/i));
    expect((await latestRoot(db()))?.seq).toBe(before?.seq);
  });

  it('a user without a leaf gets 404, and a second builder at the same time gets 409', async () => {
    await snapshot(t.platform, { trigger: 'schedule', requestedBy: null });
    const nobody = await insertUser(t.platform.database);
    await expect(inclusionProof(db(), nobody.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    if (t.platform.database.kind === 'postgres') {
      // Another machine's builder holds the lock: this one is refused at once instead of waiting or duplicating.
      await db()
        .transaction(async (other) => {
          await other.execute(sql`lock table pol_roots in exclusive mode`);
          await expect(takeSnapshot(t.platform, { trigger: 'schedule', requestedBy: null })).rejects.toMatchObject({ code: 'CONFLICT' });
          other.rollback();
        })
        .catch((err: Error) => expect(err.message).toMatch(/rollback/i));
    }
  });
});

describe('restart', () => {
  it('a proof fetched before a restart still verifies after it, against the root then published, signed by the same key', async () => {
    const url = process.env.DATABASE_URL;
    const dir = url ? null : mkdtempSync(join(tmpdir(), 'cv-pol-'));
    const open = async (first: boolean): Promise<Database> => {
      if (url) return createDatabase({ database: { kind: 'postgres', url, poolSize: 2 } });
      if (first) {
        const template = inject('pgliteTemplate')!;
        return wrapPglite(await PGlite.create({ dataDir: dir!, loadDataDir: new Blob([readFileSync(template)]) }));
      }
      return wrapPglite(await PGlite.create({ dataDir: dir! }));
    };
    try {
      const first = await createTestApp({}, { database: await open(true) });
      const u = await insertUser(first.platform.database);
      await first.platform.database.db.transaction((tx) => credit(tx, { userId: u.id, asset: 'BTC', amount: '0.12345678', reference: 'pol-test:restart' }));
      const record = await snapshot(first.platform, { trigger: 'schedule', requestedBy: null });
      const proof = JSON.parse(JSON.stringify(await inclusionProof(first.platform.database.db, u.id, record.snapshotId)));
      await first.close();

      const second = await createTestApp({}, { database: await open(false) });
      try {
        const published = await rootBySnapshot(second.platform.database.db, record.snapshotId);
        expect(published).toEqual(record);
        const r = await verifyInclusionProof(proof, { expectedRootHash: published!.rootHash, expectedPublicKey: published!.publicKey });
        expect(r.errors).toEqual([]);
        // The development key survived the restart: the next root is signed by the same key.
        const next = await snapshot(second.platform, { trigger: 'schedule', requestedBy: null });
        expect(next.publicKey).toBe(record.publicKey);
        expect(await inclusionProof(second.platform.database.db, u.id, next.snapshotId)).toMatchObject({ balances: expect.arrayContaining(['0.12345678']) });
      } finally {
        await second.close();
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('interval job', () => {
  it('snapshots when one is due, on the leader, and not again before the interval has passed', async () => {
    const { startSnapshotJob } = await import('./pol.job.ts');
    let runs = 0;
    const counted = async (...args: Parameters<typeof takeSnapshot>) => {
      runs++;
      return snapshot(...args);
    };
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    // Due at once (an interval of 1 ms since the last root).
    let stop = startSnapshotJob(t.platform, 1, { firstRunMs: 0, snapshot: counted });
    await waitFor(() => runs > 0);
    await stop();
    expect(runs).toBeGreaterThan(0);
    // Not due: a root was just published and the interval is an hour.
    runs = 0;
    stop = startSnapshotJob(t.platform, 3_600_000, { firstRunMs: 0, snapshot: counted });
    await new Promise((r) => setTimeout(r, 1_500));
    await stop();
    expect(runs).toBe(0);
  });
});
