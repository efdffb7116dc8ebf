import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, expireStepUp, outbox, randomIp, signIn, signUpVerified, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit, reconcile } from '../ledger/index.ts';

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const env = {
  JWT_SECRET: 'address-book-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'address-book-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'address-book-test-data-key-0123456789abcdef',
  WITHDRAWAL_FEES: 'BTC:0.0005',
};
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const MULE_ADDR = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2';
const OTHER_ADDR = '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp(env);
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.ok).toBe(true);
});

async function funded(btc = '1'): Promise<TestSession> {
  const u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: btc, reference: `test-funding:${u.user.id}` });
  return u;
}
const book = (u: TestSession) => asUser(t, u).inject({ method: 'GET', url: '/api/wallet/withdrawal-addresses' });
const add = (u: TestSession, payload: Record<string, unknown>) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/withdrawal-addresses', payload: { asset: 'BTC', label: 'cold wallet', ...payload } });
const withdraw = (u: TestSession, payload: Record<string, unknown>) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/withdrawals', payload: { asset: 'BTC', amount: '0.01', ...payload } });
const bookOnly = (u: TestSession, enabled: boolean) =>
  asUser(t, u).inject({ method: 'PUT', url: '/api/wallet/withdrawal-addresses/address-book-only', payload: { enabled } });
const confirmLink = async (email: string) => {
  const mail = (await outbox(t, email)).find((m) => m.subject.startsWith('A withdrawal address was added'));
  const token = mail?.text.match(/\/withdrawal-address\/confirm\?token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error('no confirmation link');
  return token;
};
const confirm = (token: string) => t.app.inject({ method: 'POST', url: '/api/wallet/withdrawal-addresses/confirm', payload: { token } });
/** As if the cooling-off period of every entry (and a requested switch-off) had passed. */
const pastCoolingOff = async (u: TestSession) => {
  await t.platform.database.db.execute(sql`update withdrawal_addresses set usable_at = now() - interval '1 second' where user_id = ${u.user.id}`);
  await t.platform.database.db.execute(
    sql`update account_security_settings set address_book_only_off_at = now() - interval '1 second' where user_id = ${u.user.id} and address_book_only_off_at is not null`,
  );
};
const auditActions = async (userId: string) =>
  (
    (await t.platform.database.db.execute(sql`select action from audit_log where target_type = 'user' and target_id = ${userId} order by id`)) as unknown as {
      rows: { action: string }[];
    }
  ).rows.map((r) => r.action);

describe('withdrawal address book', () => {
  it('adds with step-up, confirms by the emailed link, becomes usable only after the cooling-off period; every change emailed and audited', async () => {
    const u = await funded();
    await expireStepUp(t, u);
    expect((await add(u, { address: BTC_ADDR })).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, u);
    expect((await add(u, { address: `${BTC_ADDR.slice(0, -1)}r` })).statusCode).toBe(400);
    expect((await add(u, { address: BTC_ADDR, network: 'ethereum' })).statusCode).toBe(400);
    expect((await add(u, { asset: 'XRP', address: 'rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh' })).statusCode).toBe(400);
    expect((await add(u, { address: BTC_ADDR, label: '' })).statusCode).toBe(400);
    const created = await add(u, { address: BTC_ADDR });
    expect(created.statusCode, created.body).toBe(201);
    const entry = created.json();
    const hours = (new Date(entry.usableAt).getTime() - new Date(entry.createdAt).getTime()) / 3_600_000;
    expect(hours).toBeCloseTo(24, 1);
    expect(entry).toMatchObject({
      asset: 'BTC',
      network: 'bitcoin',
      address: BTC_ADDR,
      label: 'cold wallet',
      status: 'pending_confirmation',
      usable: false,
      confirmedAt: null,
    });
    expect((await add(u, { address: BTC_ADDR })).statusCode).toBe(409);

    // Not usable before the link: named by id, refused with the reason.
    const early = await withdraw(u, { addressId: entry.id });
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'pending_confirmation' } });

    const token = await confirmLink(u.user.email);
    const confirmed = await confirm(token);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ id: entry.id, status: 'cooling_off', usable: false });
    expect((await confirm(token)).statusCode).toBe(400); // single use
    expect((await withdraw(u, { addressId: entry.id })).json().error.details).toMatchObject({ status: 'cooling_off', usableAt: entry.usableAt });

    await pastCoolingOff(u);
    expect((await book(u)).json().items[0]).toMatchObject({ id: entry.id, status: 'active', usable: true });
    const sent = await withdraw(u, { addressId: entry.id });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({ address: BTC_ADDR, network: 'bitcoin' });

    await expireStepUp(t, u);
    expect((await asUser(t, u).inject({ method: 'DELETE', url: `/api/wallet/withdrawal-addresses/${entry.id}` })).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, u);
    expect((await asUser(t, u).inject({ method: 'DELETE', url: `/api/wallet/withdrawal-addresses/${entry.id}` })).statusCode).toBe(200);
    expect((await book(u)).json().items).toEqual([]);

    const subjects = (await outbox(t, u.user.email)).map((m) => m.subject);
    expect(subjects).toEqual(
      expect.arrayContaining([
        'A withdrawal address was added to your CryptoVault address book',
        'A withdrawal address was confirmed',
        'A withdrawal address was removed from your CryptoVault address book',
      ]),
    );
    expect(await auditActions(u.user.id)).toEqual(['security.address_book.add', 'security.address_book.confirm', 'security.address_book.remove']);
    // The owner's security events (the Security page) show the same changes, newest first.
    const events = (await asUser(t, u).inject({ method: 'GET', url: '/api/auth/security-events' })).json().items;
    expect(
      events.filter((e: { kind: string }) => e.kind.startsWith('address_')).map((e: { kind: string; details: { name?: string } }) => [e.kind, e.details.name]),
    ).toEqual([
      ['address_removed', 'cold wallet'],
      ['address_confirmed', 'cold wallet'],
      ['address_added', 'cold wallet'],
    ]);
  });

  it("another user's entry is a 404 (list, remove, withdraw by id)", async () => {
    const owner = await funded();
    const entry = (await add(owner, { address: BTC_ADDR })).json();
    const other = await funded();
    expect((await book(other)).json().items).toEqual([]);
    expect((await asUser(t, other).inject({ method: 'DELETE', url: `/api/wallet/withdrawal-addresses/${entry.id}` })).statusCode).toBe(404);
    expect((await withdraw(other, { addressId: entry.id })).statusCode).toBe(404);
    expect((await withdraw(other, {})).statusCode).toBe(400); // neither address nor addressId
    expect((await book(owner)).json().items).toHaveLength(1);
  });

  it('a thief with a stolen session (and step-up) cannot add an address and withdraw to it at once in "address book only" mode', async () => {
    const owner = await funded();
    await add(owner, { address: BTC_ADDR });
    await confirm(await confirmLink(owner.user.email));
    await pastCoolingOff(owner);
    expect((await bookOnly(owner, true)).json()).toEqual({ enabled: true, requested: true, offAt: null });

    // The owner's own book entry still works; a free address does not.
    expect((await withdraw(owner, { address: BTC_ADDR })).statusCode).toBe(201);
    const free = await withdraw(owner, { address: OTHER_ADDR });
    expect(free.statusCode).toBe(403);
    expect(free.json().error.code).toBe('ADDRESS_BOOK_ONLY');

    // The thief: a session of its own with the password (phished), so every step-up passes.
    const thief = await signIn(t, owner.user.email, owner.password, { ip: randomIp() });
    const mule = await add(thief, { address: MULE_ADDR, label: 'mine now' });
    expect(mule.statusCode).toBe(201);
    const byId = await withdraw(thief, { addressId: mule.json().id });
    expect(byId.statusCode).toBe(422);
    const byValue = await withdraw(thief, { address: MULE_ADDR });
    expect(byValue.statusCode).toBe(422);
    expect(byValue.json().error.details.status).toBe('pending_confirmation');
    // Even a thief who also reads the mailbox waits out the cooling-off period, while the owner has the email.
    await confirm(await confirmLink(owner.user.email));
    expect((await withdraw(thief, { address: MULE_ADDR })).json().error.details.status).toBe('cooling_off');
    const notices = (await outbox(t, owner.user.email)).filter((m) => m.subject.startsWith('A withdrawal address was added'));
    expect(notices[0]?.text).toContain(MULE_ADDR);
    expect(notices[0]?.text).toMatch(/\/freeze\?token=/);
  });

  it('a thief cannot switch "address book only" off and withdraw at once: the switch-off waits the cooling-off period', async () => {
    const owner = await funded();
    expect((await bookOnly(owner, true)).statusCode).toBe(200);
    const thief = await signIn(t, owner.user.email, owner.password, { ip: randomIp() });
    await expireStepUp(t, thief);
    expect((await bookOnly(thief, false)).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, thief);
    const off = await bookOnly(thief, false);
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ enabled: true, requested: false });
    const offIn = (new Date(off.json().offAt).getTime() - Date.now()) / 3_600_000;
    expect(offIn).toBeGreaterThan(23.9);
    expect((await withdraw(thief, { address: MULE_ADDR })).json().error.code).toBe('ADDRESS_BOOK_ONLY');
    expect((await book(thief)).json().addressBookOnly).toMatchObject({ enabled: true, requested: false });
    const mail = (await outbox(t, owner.user.email))[0];
    expect(mail?.subject).toBe('"Address book only" will be switched off on your CryptoVault account');
    expect(mail?.text).toMatch(/\/freeze\?token=/);

    // The owner sees the email and turns it back on: the pending switch-off is gone.
    await stepUp(t, owner);
    expect((await bookOnly(owner, true)).json()).toEqual({ enabled: true, requested: true, offAt: null });
    await pastCoolingOff(owner);
    expect((await withdraw(thief, { address: MULE_ADDR })).json().error.code).toBe('ADDRESS_BOOK_ONLY');

    // Switched off and waited out: free addresses again.
    await bookOnly(owner, false);
    await pastCoolingOff(owner);
    expect((await book(owner)).json().addressBookOnly).toEqual({ enabled: false, requested: false, offAt: null });
    expect((await withdraw(owner, { address: OTHER_ADDR })).statusCode).toBe(201);
    expect(await auditActions(owner.user.id)).toEqual([
      'security.address_book_only.on',
      'security.address_book_only.off_requested',
      'security.address_book_only.on',
      'security.address_book_only.off_requested',
    ]);
  });

  it('the book, confirmations and the mode survive a restart on the same database', async () => {
    const u = await funded();
    const entry = (await add(u, { address: BTC_ADDR })).json();
    const token = await confirmLink(u.user.email);
    await bookOnly(u, true);
    await t.close();
    t = await createTestApp(env);
    expect((await confirm(token)).json()).toMatchObject({ id: entry.id, status: 'cooling_off' });
    await pastCoolingOff(u);
    const after = (await book(u)).json();
    expect(after.items).toEqual([expect.objectContaining({ id: entry.id, status: 'active', label: 'cold wallet' })]);
    expect(after.addressBookOnly.enabled).toBe(true);
    expect((await withdraw(u, { address: OTHER_ADDR })).json().error.code).toBe('ADDRESS_BOOK_ONLY');
    expect((await withdraw(u, { addressId: entry.id })).statusCode).toBe(201);
  });
});
