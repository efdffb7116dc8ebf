import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { tableRows } from '../../platform/db/table-rows.ts';
import { idempotencyKeys } from '../../platform/idempotency/idempotency.schema.ts';
import { getBalances } from './balances.ts';
import { pgError, rows } from '../../platform/db/sql.ts';
import { credit, holdEntry } from './ledger.service.ts';
import type { JournalEntryInput } from './ledger.types.ts';
import { createLedgerWriter, type LedgerWriter } from './ledger.writer.ts';
import { D } from './money.ts';
import { reconcile } from './reconciliation.ts';

let t: TestContext;
let writer: LedgerWriter;
beforeAll(async () => {
  t = await createTestApp();
  writer = createLedgerWriter(t.platform);
});
afterAll(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  await t.close();
});

const db = () => t.platform.database.db;

async function funded(usd: string): Promise<string> {
  const u = await insertUser(t.platform.database);
  await db().transaction((tx) => credit(tx, { userId: u.id, asset: 'USD', amount: usd, reference: 'test:fund' }));
  return u.id;
}

/** A row of another table that must commit with the entry: an idempotency record (any table would do). */
const record = (userId: string, key: string) =>
  tableRows(idempotencyKeys, { userId, scope: 'writer-test', key, requestHash: 'h', responseStatus: 201, responseBody: { key }, createdAt: new Date() });

/** USD available → BTC available through the market account, with a fee: a trade-like entry on sharded accounts. */
function buy(userId: string, cost: string, reference: string): JournalEntryInput {
  const c = new D(cost);
  return {
    type: 'trade',
    reference,
    userId,
    postings: [
      { account: { kind: 'user', userId, asset: 'USD' }, bucket: 'available', amount: c.neg(), leg: 'trade' },
      { account: { kind: 'market', asset: 'USD', shard: 3 }, bucket: 'available', amount: c, leg: 'trade' },
      { account: { kind: 'user', userId, asset: 'BTC' }, bucket: 'available', amount: new D('0.001'), leg: 'trade' },
      { account: { kind: 'market', asset: 'BTC', shard: 3 }, bucket: 'available', amount: new D('-0.001'), leg: 'trade' },
    ],
  };
}

const records = async (userId: string) =>
  (await rows<{ key: string }>(db(), sql`select key from idempotency_keys where user_id = ${userId} and scope = 'writer-test' order by key`)).map((r) => r.key);

async function usd(userId: string) {
  const r = await getBalances(db(), t.platform.prices, userId);
  return r.items.find((i) => i.asset === 'USD')?.available ?? '0';
}

describe('LedgerWriter.submit', () => {
  it('writes the entry and its rows together, creating an account the entry needs (a first BTC)', async () => {
    const u = await funded('100');
    const posted = await writer.submit(buy(u, '50', 'test:first'), [record(u, 'a')]);
    expect(new D(posted.balances.find((b) => b.asset === 'BTC')!.available).toFixed()).toBe('0.001');
    expect(await records(u)).toEqual(['a']);
    expect(await usd(u)).toBe('50');
  });

  it('a refused entry writes none of its rows', async () => {
    const u = await funded('10');
    await expect(writer.submit(buy(u, '50', 'test:poor'), [record(u, 'refused')])).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await records(u)).toEqual([]);
    expect(await usd(u)).toBe('10');
  });

  it('a row its unique index refuses refuses its entry, and no money moves for it', async () => {
    const u = await funded('100');
    await writer.submit(buy(u, '10', 'test:once'), [record(u, 'once')]);
    const err = await writer.submit(buy(u, '10', 'test:twice'), [record(u, 'once')]).catch((e: unknown) => e);
    expect(pgError(err)).toEqual({ code: '23505', constraint: 'idempotency_keys_pkey' });
    expect(await usd(u)).toBe('90');
  });

  it('entries submitted together share statements, and one refused submission does not refuse the others', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => funded('100')));
    for (const u of users) await writer.submit(buy(u, '1', `test:warm:${u}`)); // accounts exist: the batch needs no transaction
    const poor = await funded('1');
    const count = async () => (await t.platform.metrics.marketFillBatch.get()).values.find((v) => v.metricName === 'market_fill_batch_size_count')?.value ?? 0;
    const before = await count();
    await Promise.all(users.map((u, i) => writer.submit(buy(u, '1', `test:together:${i}`))));
    expect((await count()) - before).toBeLessThanOrEqual(3);
    const results = await Promise.allSettled([
      ...users.map((u, i) => writer.submit(buy(u, '10', `test:batch:${i}`), [record(u, `batch-${i}`)])),
      writer.submit(buy(poor, '10', 'test:batch:poor'), [record(poor, 'batch-poor')]),
      writer.submit(holdEntry({ userId: users[0]!, asset: 'USD', amount: '5', reference: 'test:batch:hold' })),
    ]);
    expect(results.slice(0, 12).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[12]).toMatchObject({ status: 'rejected', reason: { code: 'INSUFFICIENT_FUNDS' } });
    expect(results[13]!.status).toBe('fulfilled');
    for (const [i, u] of users.entries()) {
      expect(await records(u)).toEqual([`batch-${i}`]);
      expect(await usd(u)).toBe(i === 0 ? '83' : '88');
    }
    expect(await records(poor)).toEqual([]);
    expect(await usd(poor)).toBe('1');
  });
});
