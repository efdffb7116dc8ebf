import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, changeAuthRows, createAdmin, expireStepUp, signUpVerified, stepUp, type TestSession, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { type ConfigError, loadConfig } from '../../config.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit, reconcile } from '../ledger/index.ts';
import { runTelegramWebhook } from '../../cli/telegram-webhook.ts';
import { STANDIN_BOT_TOKEN, TelegramStandIn } from './telegram-standin.ts';

const SECRET = 'test-webhook-secret-0123456789abcdef';
// A group id of its own per run: the bot's refusals are rate-limited per chat in Redis, which the PostgreSQL passes
// share (CI runs the suite on two Node lines against one Redis; a fixed id ran out of refusals on the second).
const OPS_CHAT = -(1_000_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

let standin: TelegramStandIn;
let t: TestContext;
let admin1: TestSession;
let admin2: TestSession;
const chat1 = 7_000_000_000 + Math.floor(Math.random() * 1_000_000);
const chat2 = chat1 + 1;

const env = () => ({
  TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN,
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_ROOT: standin.apiRoot,
  TELEGRAM_OPS_CHAT_ID: String(OPS_CHAT),
  TELEGRAM_ALERT_WITHDRAWAL_USD: '10000',
  WITHDRAWAL_DUAL_APPROVAL_USD: '10000',
  WITHDRAWAL_DAILY_LIMIT_USD: '1000000',
  WITHDRAWAL_FEES: 'BTC:0.0005',
});

beforeAll(async () => {
  standin = await new TelegramStandIn().start();
  t = await createTestApp(env());
  admin1 = await createAdmin(t);
  admin2 = await createAdmin(t);
});
afterAll(async () => {
  await t.close();
  await standin.stop();
});
afterEach(async () => {
  standin.mode = 'ok';
  const r = await reconcile(t.platform.database.db);
  expect(r.ok).toBe(true);
});

// ---- Telegram updates, as the Bot API delivers them to the webhook ----
let updateId = Math.floor(Math.random() * 1e6);
let messageId = 1;
const from = (id: number) => ({ id, is_bot: false, first_name: 'Operator', username: `op${id}` });

function message(chatId: number, text: string) {
  const command = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
  return {
    update_id: ++updateId,
    message: {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Operator' },
      from: from(chatId),
      text,
      entities: command,
    },
  };
}

function press(userId: number, data: string, on: { chatId: number; messageId: number; text?: string }) {
  return {
    update_id: ++updateId,
    callback_query: {
      id: String(++messageId),
      from: from(userId),
      chat_instance: 'ci',
      data,
      message: {
        message_id: on.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: on.chatId, type: on.chatId < 0 ? 'supergroup' : 'private' },
        text: on.text ?? 'alert',
      },
    },
  };
}

const deliver = (update: unknown, secret: string | null = SECRET) =>
  t.app.inject({
    method: 'POST',
    url: '/api/telegram/webhook',
    headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
    payload: update as object,
  });

async function say(chatId: number, text: string): Promise<string> {
  const before = standin.sentTo(chatId).length;
  const res = await deliver(message(chatId, text));
  expect(res.statusCode, res.body).toBe(200);
  const replies = standin.sentTo(chatId).slice(before);
  return replies.map((r) => r.text).join('\n');
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A code for the operator's current step (tests use one account many times a minute: forget the last used step). */
async function freshCode(admin: TestSession): Promise<string> {
  await t.platform.database.db.execute(sql`update users set totp_last_step = null where id = ${admin.user.id}`);
  return totpCode(admin.totpSecret!);
}

async function linkCode(admin: TestSession): Promise<string> {
  await t.platform.database.db.execute(sql`update users set totp_last_step = null where id = ${admin.user.id}`);
  await stepUp(t, admin);
  const res = await asUser(t, admin).inject({ method: 'POST', url: '/api/admin/telegram/link-code' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().code;
}

async function link(admin: TestSession, chatId: number): Promise<void> {
  const reply = await say(chatId, `/link ${await linkCode(admin)}`);
  expect(reply).toContain('Linked to');
}

async function btcPrice(priceUsd: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd, holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
}

async function withdrawal(btc: string): Promise<{ id: string; user: TestSession }> {
  await btcPrice('50000');
  const u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: '2', reference: `test-funding:${u.user.id}` });
  const res = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/withdrawals', payload: { asset: 'BTC', address: BTC_ADDR, amount: btc } });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, user: u };
}

const withdrawalRow = async (id: string) =>
  (await rows<{ status: string }>(t.platform.database.db, sql`select status from withdrawals where id = ${id}`))[0]!.status;
const approvers = async (id: string) =>
  (
    await rows<{ admin_id: string }>(t.platform.database.db, sql`select admin_id from withdrawal_approvals where withdrawal_id = ${id} order by created_at`)
  ).map((r) => r.admin_id);
const auditOf = (targetId: string) =>
  rows<{ action: string; actor_id: string; details: Record<string, unknown> }>(
    t.platform.database.db,
    sql`select action, actor_id, details from audit_log where target_id = ${targetId} order by id`,
  );

describe('telegram webhook', () => {
  it('refuses a request without the secret-token header or with a wrong one, before the bot sees it', async () => {
    const calls = standin.calls.length;
    const none = await deliver(message(chat1, '/help'), null);
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const wrong = await deliver(message(chat1, '/help'), `${SECRET.slice(0, -1)}x`);
    expect(wrong.statusCode).toBe(401);
    expect(standin.calls.length).toBe(calls);
    const notUpdate = await deliver({ hello: 'world' });
    expect(notUpdate.statusCode).toBe(400);
  });

  it('answers an unlinked chat with one polite refusal and nothing else; a repeated update is handled once', async () => {
    const stranger = 9_000_000_000 + Math.floor(Math.random() * 1_000_000);
    const update = message(stranger, '/pending');
    expect((await deliver(update)).statusCode).toBe(200);
    expect((await deliver(update)).statusCode).toBe(200); // Telegram delivering it again
    const replies = standin.sentTo(stranger);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/only answers CryptoVault operators who linked their account/);
    expect(replies[0]!.reply_markup).toBeUndefined();
    // A button press from a stranger on an alert in the ops group: refused, nothing recorded.
    const answered = standin.callsOf('answerCallbackQuery').length;
    await deliver(press(stranger, `wd:a:${crypto.randomUUID()}`, { chatId: OPS_CHAT, messageId: 5 }));
    // The answer to the button may reach the Bot API a moment after the webhook's 200 on a busy host.
    const answer = await waitFor(() => standin.callsOf('answerCallbackQuery')[answered], 'answerCallbackQuery');
    expect(answer.body).toMatchObject({ show_alert: true });
    expect(standin.sentTo(stranger)).toHaveLength(1);
  });
});

describe('linking', () => {
  it('needs an operator with a fresh step-up; links with a valid code, refuses it used again, expired, or wrong', async () => {
    const user = await signUpVerified(t);
    expect((await asUser(t, user).inject({ method: 'POST', url: '/api/admin/telegram/link-code' })).statusCode).toBe(403);
    // An administrator session without a recent second factor: STEP_UP_REQUIRED.
    await expireStepUp(t, admin1);
    const noStepUp = await asUser(t, admin1).inject({ method: 'POST', url: '/api/admin/telegram/link-code' });
    expect(noStepUp.statusCode).toBe(403);
    expect(noStepUp.json().error.code).toBe('STEP_UP_REQUIRED');

    const code = await linkCode(admin1);
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // Stored keyed, never in clear.
    const stored = await rows<{ code_hash: string }>(t.platform.database.db, sql`select code_hash from telegram_link_codes where user_id = ${admin1.user.id}`);
    expect(stored.map((r) => r.code_hash)).not.toContain(code);

    expect(await say(chat1, '/link ZZZZ-ZZZZ')).toMatch(/not valid/);
    expect(await say(chat1, `/link ${code.toLowerCase()}`)).toMatch(/Linked to/);
    const status = (await asUser(t, admin1).inject({ method: 'GET', url: '/api/admin/telegram' })).json();
    expect(status).toMatchObject({ enabled: true, linked: true, username: `op${chat1}`, botUsername: 'cryptovault_ops_bot' });
    // Used once: the same code from another chat is refused and links nothing.
    const other = chat1 + 500;
    expect(await say(other, `/link ${code}`)).toMatch(/not valid/);
    expect(await say(other, '/pending')).toMatch(/only answers CryptoVault operators/);

    // Expired: a code past its 10 minutes is refused.
    const late = await linkCode(admin2);
    await t.platform.database.db.execute(
      sql`update telegram_link_codes set expires_at = now() - interval '1 second' where user_id = ${admin2.user.id} and used_at is null`,
    );
    expect(await say(chat2, `/link ${late}`)).toMatch(/not valid/);
    await link(admin2, chat2);

    const audit = await auditOf(admin1.user.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['telegram.link_code', 'telegram.link']));
    expect(audit.find((a) => a.action === 'telegram.link')!.details).toMatchObject({ channel: 'telegram', telegramUserId: chat1 });
  });

  it('unlinks from the console: the chat is refused from then on; the link survives a restart until then', async () => {
    const admin = await createAdmin(t);
    const chat = chat1 + 900;
    await link(admin, chat);
    const again = await createTestApp(env());
    try {
      // Sessions are signed with per-app secrets in tests: ask the new app's service directly.
      expect(await again.root.telegram!.status(admin.user.id)).toMatchObject({ linked: true, username: `op${chat}` });
    } finally {
      await again.close();
    }
    const res = await asUser(t, admin).inject({ method: 'DELETE', url: '/api/admin/telegram/link' });
    expect(res.json()).toMatchObject({ linked: false });
    expect(await say(chat, '/pending')).toMatch(/only answers CryptoVault operators/);
    expect((await auditOf(admin.user.id)).map((a) => a.action)).toContain('telegram.unlink');
  });
});

describe('decisions from Telegram', () => {
  it('a wrong code changes nothing; the right one approves as that operator (audited, channel telegram); a used code is refused', async () => {
    const w = await withdrawal('0.1'); // $5,000: one approval
    await deliver(press(chat1, `wd:a:${w.id}`, { chatId: chat1, messageId: 77, text: 'Withdrawal waiting' }));
    expect(standin.sentTo(chat1).at(-1)!.text).toMatch(/send your 6-digit authenticator code/);

    const wrong = (Number(await totpCode(admin1.totpSecret!)) + 1).toString().padStart(6, '0').slice(-6);
    expect(await say(chat1, wrong)).toMatch(/wrong or was already used. Nothing was changed/);
    expect(await withdrawalRow(w.id)).toBe('pending_review');
    expect((await auditOf(w.id)).map((a) => a.action)).toEqual(['telegram.second_factor_failed']);

    const code = await freshCode(admin1);
    expect(await say(chat1, code)).toMatch(/Approved: withdrawal .* is ready to be sent/);
    expect(await withdrawalRow(w.id)).toBe('approved');
    const approve = (await auditOf(w.id)).find((a) => a.action === 'withdrawal.approve')!;
    expect(approve).toMatchObject({ actor_id: admin1.user.id, details: { channel: 'telegram', status: 'approved' } });
    expect(standin.callsOf('deleteMessage').length).toBeGreaterThan(0); // the code is taken out of the chat
    expect(standin.callsOf('editMessageText').at(-1)!.body).toMatchObject({ chat_id: chat1, message_id: 77 });

    // The same code again, for another withdrawal: refused (each time step is accepted once).
    const w2 = await withdrawal('0.1');
    await deliver(press(chat1, `wd:a:${w2.id}`, { chatId: chat1, messageId: 78 }));
    expect(await say(chat1, code)).toMatch(/wrong or was already used/);
    expect(await withdrawalRow(w2.id)).toBe('pending_review');
    expect(await say(chat1, '/cancel')).toMatch(/Canceled/);
  });

  it('a linked operator without the finance role gets alerts but cannot decide from Telegram, as in the console', async () => {
    const supportOnly = await createAdmin(t);
    const chat3 = chat1 + 2;
    await link(supportOnly, chat3);
    await changeAuthRows(t, supportOnly.user.id, sql`update users set operator_roles = '{support}' where id = ${supportOnly.user.id}`);
    const w = await withdrawal('0.1');
    const answered = standin.callsOf('answerCallbackQuery').length;
    await deliver(press(chat3, `wd:a:${w.id}`, { chatId: chat3, messageId: 90 }));
    const answer = await waitFor(() => standin.callsOf('answerCallbackQuery')[answered], 'answerCallbackQuery');
    expect(answer.body).toMatchObject({ text: expect.stringMatching(/needs the finance role/) });
    expect(await say(chat3, '/pending')).toMatch(/needs the finance role/);
    // Even with a decision left pending from before the role was taken away, the code decides nothing.
    await changeAuthRows(t, supportOnly.user.id, sql`update users set operator_roles = '{finance}' where id = ${supportOnly.user.id}`);
    await deliver(press(chat3, `wd:a:${w.id}`, { chatId: chat3, messageId: 91 }));
    await changeAuthRows(t, supportOnly.user.id, sql`update users set operator_roles = '{support}' where id = ${supportOnly.user.id}`);
    expect(await say(chat3, await freshCode(supportOnly))).toMatch(/needs the finance role/);
    expect(await withdrawalRow(w.id)).toBe('pending_review');
    expect(await approvers(w.id)).toEqual([]);
  });

  it('two different operators for a large withdrawal: console + Telegram by the same operator is still one', async () => {
    const w = await withdrawal('0.3'); // $15,000: two approvals
    const first = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(first.json()).toMatchObject({ status: 'pending_review', approvals: 1 });

    await deliver(press(chat1, `wd:a:${w.id}`, { chatId: OPS_CHAT, messageId: 90 }));
    expect(await say(chat1, await freshCode(admin1))).toMatch(/Not done: You have already approved this withdrawal/);
    expect(await approvers(w.id)).toEqual([admin1.user.id]);

    await deliver(press(chat2, `wd:a:${w.id}`, { chatId: OPS_CHAT, messageId: 90 }));
    expect(await say(chat2, await freshCode(admin2))).toMatch(/Approved/);
    expect(await withdrawalRow(w.id)).toBe('approved');
    expect(await approvers(w.id)).toEqual([admin1.user.id, admin2.user.id]);
  });

  it('rejects with a reason; without one the code is not spent', async () => {
    const w = await withdrawal('0.1');
    await deliver(press(chat2, `wd:r:${w.id}`, { chatId: chat2, messageId: 91 }));
    const code = await freshCode(admin2);
    expect(await say(chat2, code)).toMatch(/Add the reason/);
    expect(await say(chat2, `${code} address on a sanctions list`)).toMatch(/Rejected/);
    const res = await asUser(t, w.user).inject({ method: 'GET', url: '/api/wallet/withdrawals' });
    expect(res.json().items[0]).toMatchObject({ status: 'rejected', rejectReason: 'address on a sanctions list' });
  });

  it('five wrong codes lock decisions from Telegram for a while (audited); the right code is then refused too', async () => {
    const admin = await createAdmin(t);
    const chat = chat1 + 700;
    await link(admin, chat);
    const w = await withdrawal('0.1');
    await deliver(press(chat, `wd:a:${w.id}`, { chatId: chat, messageId: 92 }));
    for (let i = 0; i < 5; i++) await say(chat, '000000');
    expect(standin.sentTo(chat).at(-1)!.text).toMatch(/locked for 15 minutes/);
    await deliver(press(chat, `wd:a:${w.id}`, { chatId: chat, messageId: 92 }));
    expect(await say(chat, await freshCode(admin))).toMatch(/Too many wrong codes/);
    expect(await withdrawalRow(w.id)).toBe('pending_review');
    const actions = (await auditOf(w.id)).map((a) => a.action);
    expect(actions.filter((a) => a === 'telegram.second_factor_failed')).toHaveLength(4);
    expect(actions).toContain('telegram.second_factor_locked');
  });

  it('credits a deposit in review from Telegram after its alert', async () => {
    const u = await signUpVerified(t);
    const dep = (await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '40', payCurrency: 'usdt' } })).json();
    await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${dep.id}/complete`, payload: { status: 'partially_paid' } });
    const alert = await waitFor(
      () => standin.sentTo(chat1).find((m) => m.text.includes('Deposit needs review') && m.text.includes(dep.id.slice(0, 8))),
      'deposit alert',
    );
    expect(alert.reply_markup!.inline_keyboard[0]!.map((b) => b.callback_data)).toEqual([`dp:c:${dep.id}`, `dp:x:${dep.id}`]);
    await deliver(press(chat1, `dp:c:${dep.id}`, { chatId: chat1, messageId: 93 }));
    expect(await say(chat1, `${await freshCode(admin1)} 20.00 half arrived on chain`)).toMatch(/Credited \$20.00/);
    const bal = (await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/balances' })).json().items.find((i: { asset: string }) => i.asset === 'USD');
    expect(bal.available).toBe('20');
    expect((await auditOf(dep.id)).find((a) => a.action === 'deposit.resolve')!.details).toMatchObject({ channel: 'telegram', creditUsd: '20.00' });
  });
});

describe('alerts', () => {
  it('a large withdrawal is alerted to the ops chat and each linked operator, masked, with buttons; a small one is not', async () => {
    const small = await withdrawal('0.1');
    const w = await withdrawal('0.3');
    const alert = await waitFor(() => standin.sentTo(OPS_CHAT).find((m) => m.text.includes(w.id.slice(0, 8))), 'ops chat alert');
    expect(alert.text).toMatch(/Large withdrawal waiting for review/);
    expect(alert.text).toContain('0.3 BTC (about $15,000.00)');
    expect(alert.text).toContain('bc1qar…wf5mdq');
    expect(alert.text).not.toContain(BTC_ADDR);
    expect(alert.text).not.toContain(w.user.user.email);
    expect(alert.text).toContain(`${w.user.user.email.slice(0, 2)}…@example.test`);
    expect(alert.reply_markup!.inline_keyboard[0]!.map((b) => b.callback_data)).toEqual([`wd:a:${w.id}`, `wd:r:${w.id}`]);
    await waitFor(() => standin.sentTo(chat1).find((m) => m.text.includes(w.id.slice(0, 8))), 'operator alert');
    expect(standin.calls.some((c) => String(c.body.text ?? '').includes(small.id.slice(0, 8)))).toBe(false);
  });

  it('Telegram down: the withdrawal request still succeeds; the alert waits in the outbox and goes out once it is back', async () => {
    standin.mode = 'down';
    const t0 = Date.now();
    const w = await withdrawal('0.3');
    expect(Date.now() - t0).toBeLessThan(5000);
    const queued = await waitFor(async () => {
      const r = await rows<{ last_error: string | null; sent_at: Date | null }>(
        t.platform.database.db,
        sql`select last_error, sent_at from telegram_outbox where chat_id = ${OPS_CHAT} and dedupe_key = ${`withdrawal:${w.id}`}`,
      );
      return r[0]?.last_error ? r[0] : undefined;
    }, 'a failed attempt');
    expect(queued.sent_at).toBeNull();
    expect(queued.last_error).not.toContain(STANDIN_BOT_TOKEN);
    standin.mode = 'ok';
    await t.platform.database.db.execute(sql`update telegram_outbox set next_attempt_at = now() where sent_at is null`);
    await t.root.telegram!.dispatcher.flush();
    expect(standin.sentTo(OPS_CHAT).some((m) => m.text.includes(w.id.slice(0, 8)))).toBe(true);
  });

  it('reconciliation drift is alerted once, and its end; stale prices too', async () => {
    const monitor = t.root.telegram!.monitor;
    const u = await signUpVerified(t);
    await credit(t.platform.database.db, { userId: u.user.id, asset: 'ETH', amount: '1', reference: `drift:${u.user.id}` });
    // The drift exists only inside a transaction that is rolled back: other test files sharing a PostgreSQL
    // database reconcile at the same time and must never see it.
    let report: Awaited<ReturnType<typeof reconcile>> | undefined;
    await t.platform.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update ledger_accounts set available = available + 0.5 where user_id = ${u.user.id} and asset = 'ETH'`);
        report = await reconcile(tx);
        throw new Error('roll back');
      })
      .catch((err: unknown) => {
        if (!(err instanceof Error && err.message === 'roll back')) throw err;
      });
    await monitor.checkReconciliation(report);
    await monitor.checkReconciliation(report); // the same picture: no second alert
    await t.root.telegram!.dispatcher.flush();
    const drift = standin.sentTo(OPS_CHAT).filter((m) => m.text.includes('Reconciliation drift'));
    expect(drift).toHaveLength(1);
    expect(drift[0]!.text).toMatch(/ETH: drift 0\.5/);
    await monitor.checkReconciliation();
    await t.root.telegram!.dispatcher.flush();
    expect(standin.sentTo(OPS_CHAT).some((m) => m.text.includes('Reconciliation back to zero'))).toBe(true);

    await monitor.checkPrices({ status: 'degraded', ageMs: 125_000, detail: 'coincap; stale: showing the last good prices' });
    await monitor.checkPrices({ status: 'degraded', ageMs: 130_000 });
    await monitor.checkPrices({ status: 'ok', ageMs: 1000 });
    await t.root.telegram!.dispatcher.flush();
    const texts = standin.sentTo(chat1).map((m) => m.text);
    expect(texts.filter((x) => x.includes('Prices are stale'))).toHaveLength(1);
    expect(texts.find((x) => x.includes('Prices are stale'))).toContain('last update 125 s ago');
    expect(texts.some((x) => x.includes('Prices are fresh again'))).toBe(true);
  });

  it('a KYC submission event (kyc.submitted) is alerted', async () => {
    const u = await signUpVerified(t);
    const submissionId = crypto.randomUUID();
    t.platform.events.emit('kyc.submitted', { submissionId, userId: u.user.id, tier: 2 });
    const m = await waitFor(() => standin.sentTo(OPS_CHAT).find((x) => x.text.includes(submissionId.slice(0, 8))), 'kyc alert');
    expect(m.text).toMatch(/KYC submission waiting for review/);
    expect(m.text).toContain('Tier 2');
  });
});

describe('configuration', () => {
  it('needs the webhook secret with the token, refuses polling and short secrets in production, and is off without a token', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ENVIRONMENT: 'test', ...env });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN })).toEqual([expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is required/)]);
    expect(problems({ TELEGRAM_BOT_TOKEN: 'not-a-token', TELEGRAM_MODE: 'polling' })).toEqual([expect.stringMatching(/not a bot token/)]);
    expect(problems({ TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'has spaces in it' })).toEqual([expect.stringMatching(/may only hold/)]);
    expect(loadConfig({ ENVIRONMENT: 'test', TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN, TELEGRAM_MODE: 'polling' }).config.telegram).toMatchObject({
      mode: 'polling',
    });
    expect(loadConfig({ ENVIRONMENT: 'test' }).config.telegram).toBeNull();
    const prod = problems({ ENVIRONMENT: 'production', TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'short' });
    expect(prod).toContainEqual(expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET is too short/));
    expect(problems({ ENVIRONMENT: 'production', TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN, TELEGRAM_MODE: 'polling' })).toContainEqual(
      expect.stringMatching(/TELEGRAM_MODE=polling is for a developer/),
    );
  });
});

describe('npm run telegram:webhook', () => {
  it('sets the webhook with the secret token (from PUBLIC_API_URL), shows it, and prints no secret', async () => {
    const lines: string[] = [];
    const cliEnv = {
      TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: standin.apiRoot,
      PUBLIC_API_URL: 'https://api.example.test',
    };
    expect(await runTelegramWebhook(['set'], cliEnv, (l) => lines.push(l))).toBe(0);
    expect(standin.webhook).toEqual({ url: 'https://api.example.test/api/telegram/webhook', secret_token: SECRET });
    expect(standin.callsOf('setWebhook').at(-1)!.body).toMatchObject({ allowed_updates: ['message', 'callback_query'] });
    expect(await runTelegramWebhook(['info'], cliEnv, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('Webhook: https://api.example.test/api/telegram/webhook');
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(STANDIN_BOT_TOKEN);
    expect(
      await runTelegramWebhook(['set', '--url', 'http://plain.example.test/hook'], { ...cliEnv, TELEGRAM_API_ROOT: 'https://api.telegram.org' }, (l) =>
        lines.push(l),
      ),
    ).toBe(2);
    expect(await runTelegramWebhook(['set'], { TELEGRAM_BOT_TOKEN: STANDIN_BOT_TOKEN }, (l) => lines.push(l))).toBe(78);
    expect(lines.at(-1)).toMatch(/TELEGRAM_WEBHOOK_SECRET is required/);
  });
});

describe('not configured', () => {
  it('has no webhook, says so on the console, and the money path works as before', async () => {
    const plain = await createTestApp({});
    try {
      expect(plain.root.telegram).toBeNull();
      const hook = await plain.app.inject({
        method: 'POST',
        url: '/api/telegram/webhook',
        headers: { 'x-telegram-bot-api-secret-token': SECRET },
        payload: message(1, '/help'),
      });
      expect(hook.statusCode).toBe(404);
      const admin = await createAdmin(plain);
      expect((await asUser(plain, admin).inject({ method: 'GET', url: '/api/admin/telegram' })).json()).toMatchObject({ enabled: false, linked: false });
      await stepUp(plain, admin);
      expect((await asUser(plain, admin).inject({ method: 'POST', url: '/api/admin/telegram/link-code' })).statusCode).toBe(503);
      const off = await asUser(plain, admin).inject({ method: 'DELETE', url: '/api/admin/telegram/link' });
      expect(off.statusCode).toBe(200);
      expect(off.json()).toMatchObject({ enabled: false, linked: false });
    } finally {
      await plain.close();
    }
  });
});
