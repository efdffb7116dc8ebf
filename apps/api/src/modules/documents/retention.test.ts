import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { SAMPLE } from '../../platform/documents/documents.fixtures.ts';
import { retentionJob } from './documents.routes.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp({ DOCUMENT_RETENTION_DAYS: '30' });
});
afterAll(async () => t?.close());

describe('document retention job', () => {
  it('deletes, on the machine that holds its lock, the documents past DOCUMENT_RETENTION_DAYS and only those', async () => {
    const store = t.platform.documents;
    const due = await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.png });
    const kept = await store.put({ ownerId: null, purpose: 'kyc', bytes: SAMPLE.jpeg });
    expect(due.deleteAfter.getTime() - due.createdAt.getTime()).toBeCloseTo(30 * 86_400_000, -5);
    // 31 days later for the first one.
    await t.platform.database.db.execute(
      sql`update documents set created_at = now() - interval '31 days', delete_after = now() - interval '1 day' where id = ${due.id}`,
    );

    const job = retentionJob(t.platform);
    // Another machine holds the lock: this one does nothing.
    const token = await t.platform.locks.acquire('documents:retention', 60_000);
    expect(await job.sweep()).toBe(0);
    await t.platform.locks.release('documents:retention', token as string);

    expect(await job.sweep()).toBeGreaterThanOrEqual(1);
    expect(await store.find(due.id)).toBeNull();
    await expect(store.read(due.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await store.read(kept.id)).bytes.equals(SAMPLE.jpeg)).toBe(true);
  });
});
