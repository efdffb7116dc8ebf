import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { insertUser } from '../../../test/users.ts';
import { listAudit, recordAudit } from './audit.repo.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('audit log', () => {
  it('records who did what to which target, inside the caller transaction, newest first', async () => {
    const admin = await insertUser(t.platform.database, { role: 'admin' });
    const target = await insertUser(t.platform.database);
    const db = t.platform.database.db;
    await recordAudit(db, {
      actorId: admin.id,
      action: 'user.suspend',
      targetType: 'user',
      targetId: target.id,
      requestId: 'req-1',
      details: { reason: 'fraud' },
    });
    await recordAudit(db, { actorId: admin.id, action: 'user.unsuspend', targetType: 'user', targetId: target.id, requestId: 'req-2' });
    // Rolled back with the action it belongs to.
    await db
      .transaction(async (tx) => {
        await recordAudit(tx, { actorId: admin.id, action: 'user.delete', targetType: 'user', targetId: target.id });
        throw new Error('abort');
      })
      .catch(() => undefined);
    const rows = await listAudit(db, { limit: 10, actorId: admin.id });
    expect(rows.map((r) => r.action)).toEqual(['user.unsuspend', 'user.suspend']);
    expect(rows[1]).toMatchObject({ targetType: 'user', targetId: target.id, requestId: 'req-1', details: { reason: 'fraud' } });
    expect(rows[1]?.createdAt).toBeInstanceOf(Date);
    const older = await listAudit(db, { limit: 10, actorId: admin.id, beforeId: rows[0]!.id });
    expect(older.map((r) => r.action)).toEqual(['user.suspend']);
  });
});
