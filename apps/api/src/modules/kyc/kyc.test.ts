import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, outbox, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { SAMPLE } from '../../platform/documents/documents.fixtures.ts';
import { checkKycLimit, recordKycUsage } from './limits.ts';

// Limits small enough to reach in a test; tier 1 deposits raised so that approval visibly changes the answer.
const ENV = {
  KYC_LIMITS: 'on',
  KYC_TIER0_LIMITS_USD: 'deposit=100/300,withdrawal=50/100,transfer=50/100',
  KYC_TIER1_LIMITS_USD: 'deposit=1000/5000',
  DOCUMENT_MAX_BYTES: '65536',
  // Fixed keys: the restart test's second app must read the first one's sessions and encrypted documents.
  JWT_SECRET: 'kyc-test-jwt-secret-0123456789abcdef0123',
  CSRF_SECRET: 'kyc-test-csrf-secret-0123456789abcdef012',
  DATA_ENCRYPTION_KEY: 'kyc-test-data-key-0123456789abcdef012345',
};

let t: TestContext;
let reviewer: TestSession;
let reviewer2: TestSession;

beforeAll(async () => {
  t = await createTestApp(ENV);
  reviewer = await createAdmin(t);
  reviewer2 = await createAdmin(t);
});
afterAll(async () => t?.close());

const TIER1 = {
  legalName: 'Ada Lovelace',
  dateOfBirth: '1990-12-10',
  country: 'gb',
  addressLine1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
};

const deposit = (u: TestSession, amountUsd: string) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd, payCurrency: 'usdt' } });
const status = async (u: TestSession) => (await asUser(t, u).inject({ method: 'GET', url: '/api/kyc' })).json();
const submit1 = (u: TestSession, body: Record<string, unknown> = TIER1) => asUser(t, u).inject({ method: 'POST', url: '/api/kyc/tier1', payload: body });
const upload = (u: TestSession, kind: 'document' | 'selfie', bytes: Buffer, fileName = 'passport.jpg') =>
  asUser(t, u).inject({ method: 'POST', url: '/api/kyc/documents', payload: { kind, fileName, dataBase64: bytes.toString('base64') } });
const decide = (admin: TestSession, id: string, decision: string, reason?: string) =>
  asUser(t, admin).inject({ method: 'POST', url: `/api/admin/kyc/${id}/decision`, payload: { decision, ...(reason ? { reason } : {}) } });
const detail = (admin: TestSession, id: string) => asUser(t, admin).inject({ method: 'GET', url: `/api/admin/kyc/${id}` });

async function tier1Approved(u: TestSession): Promise<void> {
  const s = await submit1(u);
  expect(s.statusCode, s.body).toBe(201);
  expect((await decide(reviewer, s.json().id, 'approve')).statusCode).toBe(200);
}

describe('KYC tiers and limits', () => {
  it('refuses a tier-0 user above the limit with LIMIT_EXCEEDED naming the tier and what remains, and allows it after approval', async () => {
    const u = await signUpVerified(t);
    expect((await deposit(u, '60')).statusCode).toBe(201);
    const refused = await deposit(u, '60');
    expect(refused.statusCode, refused.body).toBe(422);
    const err = refused.json().error;
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.message).toContain('tier 0');
    expect(err.message).toContain('$40.00 is left today');
    expect(err.message).toMatch(/tier 1 raises it to \$1,000\.00 a day/);
    expect(err.details).toMatchObject({ tier: 0, kind: 'deposit', period: 'daily', limitUsd: '100.00', usedUsd: '60.00', remainingUsd: '40.00', nextTier: 1 });

    const before = await status(u);
    expect(before).toMatchObject({ tier: 0, enforced: true, submission: null, nextTier: { tier: 1 } });
    expect(before.limits.find((l: { kind: string }) => l.kind === 'deposit')).toEqual({
      kind: 'deposit',
      daily: { limitUsd: '100.00', usedUsd: '60.00', remainingUsd: '40.00' },
      monthly: { limitUsd: '300.00', usedUsd: '60.00', remainingUsd: '240.00' },
    });

    const sub = await submit1(u);
    expect(sub.statusCode, sub.body).toBe(201);
    expect(sub.json()).toMatchObject({ tier: 1, status: 'pending' });
    // Still tier 0 while it waits.
    expect((await deposit(u, '60')).statusCode).toBe(422);

    // The queue shows it with the person's name, the requested tier and when.
    const queue = (await asUser(t, reviewer).inject({ method: 'GET', url: '/api/admin/kyc' })).json();
    expect(queue.items.find((i: { id: string }) => i.id === sub.json().id)).toMatchObject({
      userName: u.user.name,
      userEmail: u.user.email,
      tier: 1,
      currentTier: 0,
    });

    const approved = await decide(reviewer, sub.json().id, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', reviewerId: reviewer.user.id, details: { legalName: 'Ada Lovelace', country: 'GB' } });
    expect((await deposit(u, '60')).statusCode).toBe(201);
    expect(await status(u)).toMatchObject({ tier: 1, submission: { status: 'approved' } });

    // Audited and emailed.
    const audit = await rows<{ action: string; actor_id: string }>(
      t.platform.database.db,
      sql`select action, actor_id from audit_log where target_id = ${u.user.id} and action like 'kyc.%'`,
    );
    expect(audit).toContainEqual({ action: 'kyc.approve', actor_id: reviewer.user.id });
    const mails = await outbox(t, u.user.email);
    expect(mails.some((m) => m.subject.includes('Verification approved: tier 1'))).toBe(true);
  });

  it('transfers are limited by the same rule (USD value at the time), up to the cent', async () => {
    const a = await signUpVerified(t);
    await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
    const { credit } = await import('../ledger/index.ts');
    await credit(t.platform.database.db, { userId: a.user.id, asset: 'USD', amount: '1000', reference: `test-funding:${a.user.id}` });
    const checkTransfer = async (amount: string) => {
      await t.platform.database.db.transaction(async (tx) => {
        await checkKycLimit(tx, t.config, { userId: a.user.id, kind: 'transfer', amountUsd: amount });
      });
    };
    await expect(checkTransfer('51')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { kind: 'transfer', tier: 0, remainingUsd: '50.00' } });
    await expect(checkTransfer('50')).resolves.toBeUndefined();
  });

  it('counts per UTC day and per UTC month: the day resets at midnight, the month on the 1st', async () => {
    const u = await signUpVerified(t);
    const db = t.platform.database.db;
    const at = (iso: string) => new Date(iso);
    const check = (amount: string, now: string) =>
      db.transaction(async (tx) => checkKycLimit(tx, t.config, { userId: u.user.id, kind: 'deposit', amountUsd: amount, now: at(now) }));
    const use = (amount: string, now: string, ref: string) =>
      db.transaction(async (tx) =>
        recordKycUsage(tx, { userId: u.user.id, kind: 'deposit', amountUsd: amount, reference: `${ref}:${u.user.id}`, now: at(now) }),
      );

    await use('90', '2026-03-31T23:58:00Z', 'a');
    await expect(check('10', '2026-03-31T23:59:59Z')).resolves.toBeUndefined();
    await expect(check('10.01', '2026-03-31T23:59:59Z')).rejects.toMatchObject({ details: { period: 'daily', remainingUsd: '10.00' } });
    // One second later it is a new day and a new month: the whole limit again.
    await expect(check('100', '2026-04-01T00:00:00Z')).resolves.toBeUndefined();

    // Within April: 100 a day on three days reaches the 300 monthly limit although each day is fine.
    await use('100', '2026-04-01T08:00:00Z', 'b');
    await use('100', '2026-04-02T08:00:00Z', 'c');
    await use('99', '2026-04-03T08:00:00Z', 'd');
    await expect(check('1', '2026-04-03T23:00:00Z')).resolves.toBeUndefined();
    await expect(check('1.01', '2026-04-03T23:00:00Z')).rejects.toMatchObject({ details: { period: 'daily' } });
    const monthly = check('2', '2026-04-04T00:00:00Z');
    await expect(monthly).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { period: 'monthly', usedUsd: '299.00', remainingUsd: '1.00' } });
    await expect(monthly).rejects.toThrow(/this month/);
    await expect(check('100', '2026-05-01T00:00:00Z')).resolves.toBeUndefined();
  });
});

describe('KYC review', () => {
  it('a user cannot approve themselves: the admin routes refuse a user, and an operator cannot decide their own request', async () => {
    const u = await signUpVerified(t);
    const s = await submit1(u);
    expect((await decide(u, s.json().id, 'approve')).statusCode).toBe(403);
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/admin/kyc' })).statusCode).toBe(403);

    const own = await submit1(reviewer2);
    expect(own.statusCode, own.body).toBe(201);
    const self = await decide(reviewer2, own.json().id, 'approve');
    expect(self.statusCode).toBe(403);
    expect(self.json().error.message).toMatch(/own verification/);
    expect(await status(reviewer2)).toMatchObject({ tier: 0 });
    expect((await decide(reviewer, own.json().id, 'approve')).statusCode).toBe(200);
  });

  it('a rejection needs a reason; a new submission after it goes back to review and raises nothing; one open request at a time', async () => {
    const u = await signUpVerified(t);
    // Each submission that reaches the queue is announced after its commit (the operations bot alerts on it); a refused one is not.
    const announced: unknown[] = [];
    const off = t.platform.events.on('kyc.submitted', (e) => void announced.push(e));
    const s = await submit1(u);
    expect((await submit1(u)).statusCode).toBe(409);
    off();
    expect(announced).toEqual([{ submissionId: s.json().id, userId: u.user.id, tier: 1 }]);
    expect((await decide(reviewer, s.json().id, 'reject')).statusCode).toBe(400);
    const rejected = await decide(reviewer, s.json().id, 'reject', 'The address does not match the country');
    expect(rejected.json()).toMatchObject({ status: 'rejected', reason: 'The address does not match the country' });
    expect((await decide(reviewer, s.json().id, 'approve')).statusCode).toBe(422);
    expect((await outbox(t, u.user.email)).some((m) => m.text.includes('The address does not match the country'))).toBe(true);

    const again = await submit1(u, { ...TIER1, country: 'FR' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ status: 'pending' });
    expect(await status(u)).toMatchObject({ tier: 0, submission: { status: 'pending' } });
    const d = (await detail(reviewer, again.json().id)).json();
    expect(d.history).toEqual([expect.objectContaining({ id: s.json().id, status: 'rejected', reason: 'The address does not match the country' })]);
  });

  it('"needs more information": the user answers on the same request, which returns to the queue', async () => {
    const u = await signUpVerified(t);
    const s = await submit1(u);
    const asked = await decide(reviewer, s.json().id, 'needs_info', 'Please add your flat number');
    expect(asked.json()).toMatchObject({ status: 'needs_info' });
    expect(await status(u)).toMatchObject({ submission: { status: 'needs_info', reason: 'Please add your flat number' } });
    expect((await decide(reviewer, s.json().id, 'approve')).statusCode).toBe(422);
    const answered = await submit1(u, { ...TIER1, addressLine2: 'Flat 3' });
    expect(answered.json()).toMatchObject({ id: s.json().id, status: 'pending' });
    expect((await decide(reviewer, s.json().id, 'approve')).json()).toMatchObject({ status: 'approved', details: { addressLine2: 'Flat 3' } });
    const actions = await rows<{ action: string }>(
      t.platform.database.db,
      sql`select action from audit_log where target_id in (${u.user.id}, ${s.json().id}) and action like 'kyc.%' order by created_at, id`,
    );
    expect(actions.map((a) => a.action)).toEqual(['kyc.submit', 'kyc.needs_info', 'kyc.resubmit', 'kyc.approve']);
  });
});

describe('KYC documents', () => {
  it('refuses an upload by its content: a .jpg that is an executable or HTML is 415; oversize is 413', async () => {
    const u = await signUpVerified(t);
    const exe = await upload(u, 'document', SAMPLE.exe, 'passport.jpg');
    expect(exe.statusCode, exe.body).toBe(415);
    expect(exe.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(exe.json().error.message).toMatch(/not a JPEG, PNG or PDF/);
    expect((await upload(u, 'selfie', SAMPLE.html, 'me.png')).statusCode).toBe(415);
    expect((await upload(u, 'selfie', SAMPLE.pdf, 'me.jpg')).statusCode).toBe(415);
    const big = Buffer.concat([SAMPLE.jpeg, Buffer.alloc(70_000, 7)]);
    expect((await upload(u, 'document', big)).statusCode).toBe(413);
    const n = await rows<{ n: number }>(
      t.platform.database.db,
      sql`select count(*)::int as n from documents where owner_id = ${u.user.id} and deleted_at is null`,
    );
    expect(n[0]?.n).toBe(0);
  });

  it("tier 2: another user's document is 404; the reviewer opens the documents through signed links that only they can use, which expire", async () => {
    const u = await signUpVerified(t);
    const thief = await signUpVerified(t);
    await tier1Approved(u);
    await tier1Approved(thief);
    const doc = await upload(u, 'document', SAMPLE.pdf, 'passport.pdf');
    const selfie = await upload(u, 'selfie', SAMPLE.jpeg, 'me.jpg');
    expect(doc.statusCode, doc.body).toBe(201);
    expect(doc.json()).toMatchObject({ kind: 'document', contentType: 'application/pdf' });

    // The thief names the victim's files in their own submission.
    const stolen = await asUser(t, thief).inject({
      method: 'POST',
      url: '/api/kyc/tier2',
      payload: { documentType: 'passport', documentId: doc.json().id, selfieId: selfie.json().id },
    });
    expect(stolen.statusCode).toBe(404);

    const sub = await asUser(t, u).inject({
      method: 'POST',
      url: '/api/kyc/tier2',
      payload: { documentType: 'passport', documentId: doc.json().id, selfieId: selfie.json().id },
    });
    expect(sub.statusCode, sub.body).toBe(201);
    const d = (await detail(reviewer, sub.json().id)).json();
    expect(d.documentType).toBe('passport');
    const [docLink, selfieLink] = d.documents as { kind: string; url: string; contentType: string }[];
    expect(docLink).toMatchObject({ kind: 'document', contentType: 'application/pdf' });

    const opened = await asUser(t, reviewer).inject({ method: 'GET', url: docLink!.url });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('application/pdf');
    expect(opened.headers['cache-control']).toBe('private, no-store');
    expect(opened.rawPayload.equals(SAMPLE.pdf)).toBe(true);
    expect((await asUser(t, reviewer).inject({ method: 'GET', url: selfieLink!.url })).rawPayload.equals(SAMPLE.jpeg)).toBe(true);

    // Not public, not transferable: no session, the owner, the thief and another operator all get nothing.
    expect((await t.app.inject({ method: 'GET', url: docLink!.url })).statusCode).toBe(401);
    for (const other of [u, thief, reviewer2]) expect((await asUser(t, other).inject({ method: 'GET', url: docLink!.url })).statusCode).toBe(404);
    // Altered: 404.
    expect((await asUser(t, reviewer).inject({ method: 'GET', url: `${docLink!.url.slice(0, -3)}abc` })).statusCode).toBe(404);
    // Expired: a link signed DOCUMENT_ACCESS_MINUTES ago no longer opens.
    const old = t.platform.documents.signAccess(doc.json().id, reviewer.user.id, 'operator', { now: Date.now() - 6 * 60_000 });
    const expired = await asUser(t, reviewer).inject({ method: 'GET', url: old.url });
    expect(expired.statusCode).toBe(403);
    expect(expired.json().error.message).toMatch(/expired/);

    expect((await decide(reviewer, sub.json().id, 'approve')).statusCode).toBe(200);
    expect(await status(u)).toMatchObject({ tier: 2, nextTier: null });
  });

  it('tier 2 before tier 1 is refused; the retention sweep deletes documents whose time has passed', async () => {
    const u = await signUpVerified(t);
    const doc = await upload(u, 'document', SAMPLE.png);
    const selfie = await upload(u, 'selfie', SAMPLE.jpeg);
    const early = await asUser(t, u).inject({
      method: 'POST',
      url: '/api/kyc/tier2',
      payload: { documentType: 'id_card', documentId: doc.json().id, selfieId: selfie.json().id },
    });
    expect(early.statusCode).toBe(422);
    await t.platform.database.db.execute(sql`update documents set delete_after = now() - interval '1 minute' where id = ${doc.json().id}`);
    expect(await t.platform.documents.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await t.platform.documents.find(doc.json().id)).toBeNull();
    expect(await t.platform.documents.find(selfie.json().id)).not.toBeNull();
  });
});

describe('restart', () => {
  it('tiers, submissions, usage and documents survive a new app on the same database and storage', async () => {
    const u = await signUpVerified(t);
    await tier1Approved(u);
    expect((await deposit(u, '500')).statusCode).toBe(201);
    const doc = await upload(u, 'document', SAMPLE.png);
    const second = await createTestApp({ ...ENV, DOCUMENT_DIR: t.config.documents.backend.kind === 'directory' ? t.config.documents.backend.dir : undefined });
    try {
      const s = (await asUser(second, u).inject({ method: 'GET', url: '/api/kyc' })).json();
      expect(s).toMatchObject({ tier: 1, submission: { status: 'approved' } });
      expect(s.limits.find((l: { kind: string }) => l.kind === 'deposit').daily.usedUsd).toBe('500.00');
      expect((await second.platform.documents.read(doc.json().id)).bytes.equals(SAMPLE.png)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
