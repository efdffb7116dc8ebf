import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, changeAuthRows, createAdmin, outbox, randomIp, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext, uniqueEmail } from '../../../test/helpers.ts';

// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions and documents.
const SUPPORT_DESK = `desk-${Date.now().toString(36)}@example.test`;
const env = {
  JWT_SECRET: 'support-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'support-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'support-test-data-key-0123456789abcdef',
  SUPPORT_EMAIL: SUPPORT_DESK,
};

let t: TestContext;
let operator: TestSession;
beforeAll(async () => {
  t = await createTestApp(env);
  operator = await createAdmin(t, { name: 'Olivia Operator' });
});
afterAll(async () => {
  await t.close();
});

// A PNG by its signature (the store checks the bytes, not the name), and a text file pretending to be one.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image body')]);
const NOT_AN_IMAGE = Buffer.from('#!/bin/sh\necho this is not a picture\n');

const contact = (ip: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/support/contact', remoteAddress: ip, headers, payload: body });
const contactBody = (email: string, extra: Record<string, unknown> = {}) => ({
  name: 'Casey Contact',
  email,
  subject: 'Cannot sign up',
  message: 'Hello, the sign-up page says my address is invalid.',
  ...extra,
});
const create = (u: TestSession, body: Record<string, unknown>) => asUser(t, u).inject({ method: 'POST', url: '/api/support/tickets', payload: body });
const thread = (u: TestSession, id: string) => asUser(t, u).inject({ method: 'GET', url: `/api/support/tickets/${id}` });
const op = (method: 'GET' | 'POST', path: string, payload?: Record<string, unknown>) =>
  asUser(t, operator).inject({ method, url: `/api/admin/support/tickets${path}`, ...(payload === undefined ? {} : { payload }) });
const queue = async (query = ''): Promise<{ id: string; number: number; [k: string]: unknown }[]> => {
  const res = await op('GET', `?limit=200${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
};
const mailsAbout = async (to: string, number: number) => (await outbox(t, to)).filter((m) => m.subject.includes(`#${number}`));
const waitForMail = async (to: string, number: number, count: number) => {
  for (let i = 0; i < 100; i++) {
    const found = await mailsAbout(to, number);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${count} emails to ${to} about #${number}`);
};

describe('contact form', () => {
  it('creates a ticket in the operator queue and emails an acknowledgement that repeats nothing the sender typed', async () => {
    const email = uniqueEmail('contact');
    const res = await contact(randomIp(), contactBody(email, { subject: 'Help <b>now</b>', message: '<a href="https://evil.example">click</a> please' }));
    expect(res.statusCode, res.body).toBe(202);
    const { reference } = res.json();
    expect(reference).toMatch(/^#\d+$/);
    const number = Number(reference.slice(1));

    const [ack] = await waitForMail(email, number, 1);
    expect(ack!.subject).toContain(reference);
    for (const part of [ack!.text, ack!.html]) {
      expect(part).not.toContain('evil.example');
      expect(part).not.toContain('<b>now</b>');
      expect(part).not.toContain('Casey');
    }
    // The support address is told, with a link to the console and none of the sender's text either.
    const [notice] = await waitForMail(SUPPORT_DESK, number, 1);
    expect(notice!.text).toContain('/admin/support?ticket=');
    expect(notice!.html).not.toContain('evil.example');

    const item = (await queue()).find((q) => q.number === number);
    expect(item).toMatchObject({ source: 'contact', userId: null, requesterName: 'Casey Contact', requesterEmail: email, status: 'open', tier: null });
    expect(item!.waitingSince).toBeTruthy();
    // The operator reads the text as it was typed (the web shows it as text).
    const detail = await op('GET', `/${item!.id}`);
    expect(detail.json().messages[0].body).toBe('<a href="https://evil.example">click</a> please');
    expect(detail.json().subject).toBe('Help <b>now</b>');
  });

  it('refuses multi-line subjects, control characters and over-long messages, saying why', async () => {
    const ip = randomIp();
    const bad = [
      contactBody(uniqueEmail('c'), { subject: 'Line one\nBcc: victim@example.test' }),
      contactBody(uniqueEmail('c'), { message: 'x'.repeat(5001) }),
      contactBody(uniqueEmail('c'), { message: 'null \u0000 byte' }),
      contactBody('not-an-email'),
    ];
    for (const body of bad) {
      const res = await contact(ip, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('is rate-limited per client address, whatever X-Forwarded-For says, and per typed email across addresses', async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      const res = await contact(ip, contactBody(uniqueEmail('flood')), { 'x-forwarded-for': randomIp() });
      expect(res.statusCode, res.body).toBe(202);
    }
    const sixth = await contact(ip, contactBody(uniqueEmail('flood')), { 'x-forwarded-for': randomIp() });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('RATE_LIMITED');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);

    // One inbox cannot be mail-bombed from many addresses: 3 acknowledgements an hour, then 429.
    const victim = uniqueEmail('victim');
    for (let i = 0; i < 3; i++) expect((await contact(randomIp(), contactBody(victim))).statusCode).toBe(202);
    expect((await contact(randomIp(), contactBody(victim.toUpperCase()))).statusCode).toBe(429);
    expect((await outbox(t, victim)).length).toBe(3);
  });

  it('answers a bot that fills the hidden field like anyone else, and stores and sends nothing', async () => {
    const email = uniqueEmail('bot');
    const before = (await queue('&status=all')).length;
    const res = await contact(randomIp(), contactBody(email, { website: 'http://spam.example' }));
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('accepted');
    expect((await queue('&status=all')).length).toBe(before);
    expect(await outbox(t, email)).toEqual([]);
  });
});

describe('signed-in support tickets', () => {
  it('round trip: the user opens a ticket, the operator takes it, replies (emailed), the user answers (emailed to the operator), the operator closes; every operator action audited', async () => {
    const u = await signUpVerified(t, { name: 'Uma User' });
    const res = await create(u, { category: 'withdrawals', subject: 'Withdrawal stuck', message: 'My BTC withdrawal has been pending for a day.' });
    expect(res.statusCode, res.body).toBe(201);
    const ticket = res.json();
    expect(ticket).toMatchObject({ category: 'withdrawals', status: 'open', messageCount: 1 });
    expect(ticket.messages[0]).toMatchObject({ author: 'user', authorName: 'Uma User', internal: false });
    const [opened] = await waitForMail(u.user.email, ticket.number, 1);
    expect(opened!.text).toContain(`/support/${ticket.id}`);
    await waitForMail(SUPPORT_DESK, ticket.number, 1);

    // In the queue with who asked and since when.
    const item = (await queue()).find((q) => q.id === ticket.id);
    expect(item).toMatchObject({ source: 'account', userId: u.user.id, requesterName: 'Uma User', requesterEmail: u.user.email, assignedTo: null });

    const assigned = await op('POST', `/${ticket.id}/assign`);
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json().assignedTo).toMatchObject({ id: operator.user.id, name: 'Olivia Operator' });
    expect((await queue('&mine=true')).some((q) => q.id === ticket.id)).toBe(true);

    const replied = await op('POST', `/${ticket.id}/replies`, { message: 'Which address did you send it to?', status: 'waiting_on_user' });
    expect(replied.statusCode, replied.body).toBe(201);
    expect(replied.json()).toMatchObject({ status: 'waiting_on_user', waitingSince: null });
    const mails = await waitForMail(u.user.email, ticket.number, 2);
    expect(mails[0]!.subject).toBe(`Reply to your support request #${ticket.number}`);
    expect(mails[0]!.text).toContain('Which address did you send it to?');

    const seen = await thread(u, ticket.id);
    expect(seen.json()).toMatchObject({ status: 'waiting_on_user', messageCount: 2 });
    expect(seen.json().messages[1]).toMatchObject({ author: 'operator', authorName: 'Olivia', body: 'Which address did you send it to?' });
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/support/tickets' })).json().items[0]).toMatchObject({
      id: ticket.id,
      status: 'waiting_on_user',
    });

    const answer = await asUser(t, u).inject({
      method: 'POST',
      url: `/api/support/tickets/${ticket.id}/messages`,
      payload: { message: 'To bc1q… from my book.' },
    });
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json().status).toBe('open');
    // The ticket is taken: the operator who holds it is told, not the support address (which had the first notice).
    const [notice] = await waitForMail(operator.user.email, ticket.number, 1);
    expect(notice!.subject).toBe(`New message on support request #${ticket.number}`);
    expect(notice!.text).not.toContain('bc1q');
    expect((await mailsAbout(SUPPORT_DESK, ticket.number)).length).toBe(1);

    const closed = await op('POST', `/${ticket.id}/close`);
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect((await thread(u, ticket.id)).json().status).toBe('closed');
    const late = await asUser(t, u).inject({ method: 'POST', url: `/api/support/tickets/${ticket.id}/messages`, payload: { message: 'one more thing' } });
    expect(late.statusCode).toBe(422);
    expect(late.json().error).toMatchObject({ code: 'INVALID_STATE' });
    expect(late.json().error.message).toContain('closed');

    const audit = await asUser(t, operator).inject({ method: 'GET', url: `/api/admin/audit?targetId=${ticket.id}&limit=50` });
    expect(
      audit
        .json()
        .items.map((a: { action: string }) => a.action)
        .sort(),
    ).toEqual(['support.assign', 'support.close', 'support.reply']);
    expect(audit.json().items.every((a: { actorId: string }) => a.actorId === operator.user.id)).toBe(true);
  });

  it('an operator replies to a contact-form ticket by email (there is no account to open)', async () => {
    const email = uniqueEmail('guest');
    const { reference } = (await contact(randomIp(), contactBody(email))).json();
    const number = Number(reference.slice(1));
    const id = (await queue()).find((q) => q.number === number)!.id;
    expect((await op('POST', `/${id}/replies`, { message: 'Use lower-case letters, please.' })).json().status).toBe('answered');
    const [reply] = await waitForMail(email, number, 2);
    expect(reply!.text).toContain('Use lower-case letters, please.');
    expect(reply!.text).toContain('contact form again');
  });

  it('the queue puts the request waiting longest first; answered ones leave it', async () => {
    const u = await signUpVerified(t);
    const first = (await create(u, { category: 'trading', subject: 'First question', message: 'one' })).json();
    const second = (await create(u, { category: 'trading', subject: 'Second question', message: 'two' })).json();
    const ids = (await queue()).map((q) => q.id);
    expect(ids.indexOf(first.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    await op('POST', `/${first.id}/replies`, { message: 'Answered.' });
    expect((await queue()).some((q) => q.id === first.id)).toBe(false);
    expect((await queue('&status=answered')).some((q) => q.id === first.id)).toBe(true);
    // The user writes again: back in the queue, waiting since that message.
    await asUser(t, u).inject({ method: 'POST', url: `/api/support/tickets/${first.id}/messages`, payload: { message: 'Not quite.' } });
    const again = (await queue()).map((q) => q.id);
    expect(again.indexOf(second.id)).toBeLessThan(again.indexOf(first.id));
  });

  it("another user's ticket is a 404 everywhere, and the user can close their own", async () => {
    const owner = await signUpVerified(t);
    const other = await signUpVerified(t);
    const ticket = (await create(owner, { category: 'account', subject: 'Private matter', message: 'secret' })).json();
    for (const res of [
      await thread(other, ticket.id),
      await asUser(t, other).inject({ method: 'POST', url: `/api/support/tickets/${ticket.id}/messages`, payload: { message: 'hi' } }),
      await asUser(t, other).inject({ method: 'POST', url: `/api/support/tickets/${ticket.id}/close` }),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await asUser(t, other).inject({ method: 'GET', url: '/api/support/tickets' })).json().items).toEqual([]);
    const closed = await asUser(t, owner).inject({ method: 'POST', url: `/api/support/tickets/${ticket.id}/close` });
    expect(closed.json().status).toBe('closed');
    expect((await queue('&status=closed')).some((q) => q.id === ticket.id)).toBe(true);
  });

  it('internal notes are for operators only: never in the user’s thread, never emailed', async () => {
    const u = await signUpVerified(t);
    const ticket = (await create(u, { category: 'security', subject: 'Odd email', message: 'Is this from you?' })).json();
    await waitForMail(u.user.email, ticket.number, 1);
    const noted = await op('POST', `/${ticket.id}/notes`, { note: 'Looks like phishing; check the sender domain INTERNAL-ONLY' });
    expect(noted.statusCode, noted.body).toBe(201);
    expect(noted.json().messages.at(-1)).toMatchObject({ internal: true, author: 'operator' });
    expect(noted.json().status).toBe('open');

    const seen = (await thread(u, ticket.id)).json();
    expect(JSON.stringify(seen)).not.toContain('INTERNAL-ONLY');
    expect(seen.messageCount).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect((await outbox(t, u.user.email)).some((m) => m.text.includes('INTERNAL-ONLY'))).toBe(false);
  });

  it('refuses operator routes to users (403) and to anonymous callers (401), and user routes to anonymous callers', async () => {
    const u = await signUpVerified(t);
    const ticket = (await create(u, { category: 'other', subject: 'Mine', message: 'hello' })).json();
    const routes: ['GET' | 'POST', string, Record<string, unknown>?][] = [
      ['GET', ''],
      ['GET', `/${ticket.id}`],
      ['POST', `/${ticket.id}/replies`, { message: 'I am the operator now' }],
      ['POST', `/${ticket.id}/notes`, { note: 'sneaky' }],
      ['POST', `/${ticket.id}/assign`],
      ['POST', `/${ticket.id}/close`],
    ];
    for (const [method, path, payload] of routes) {
      const url = `/api/admin/support/tickets${path}`;
      const asU = await asUser(t, u).inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect(asU.statusCode, `${method} ${url}`).toBe(403);
      const anon = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect(anon.statusCode, `${method} ${url}`).toBe(401);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/support/tickets' })).statusCode).toBe(401);
    expect((await thread(u, ticket.id)).json().messageCount).toBe(1);
  });

  it('operator roles: a support operator works the queue; an operator without the support role is refused', async () => {
    const u = await signUpVerified(t);
    const ticket = (await create(u, { category: 'other', subject: 'Roles', message: 'who answers?' })).json();
    const support = await createAdmin(t, { name: 'Sue Support' });
    await changeAuthRows(t, support.user.id, sql`update users set operator_roles = '{support}' where id = ${support.user.id}`);
    const finance = await createAdmin(t, { name: 'Finn Finance' });
    await changeAuthRows(t, finance.user.id, sql`update users set operator_roles = '{finance}' where id = ${finance.user.id}`);

    const ok = await asUser(t, support).inject({
      method: 'POST',
      url: `/api/admin/support/tickets/${ticket.id}/replies`,
      payload: { message: 'Support here.' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await asUser(t, support).inject({ method: 'GET', url: '/api/admin/support/tickets' })).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', '/api/admin/support/tickets'],
      ['GET', `/api/admin/support/tickets/${ticket.id}`],
      ['POST', `/api/admin/support/tickets/${ticket.id}/close`],
    ] as const) {
      const res = await asUser(t, finance).inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await thread(u, ticket.id)).json().status).toBe('answered');
  });

  it('limits how many requests a user opens in an hour', async () => {
    const u = await signUpVerified(t);
    for (let i = 0; i < 10; i++) expect((await create(u, { category: 'other', subject: `Question ${i}`, message: 'm' })).statusCode).toBe(201);
    const res = await create(u, { category: 'other', subject: 'One too many', message: 'm' });
    expect(res.statusCode).toBe(429);
  });
});

describe('attachments', () => {
  const upload = (u: TestSession, bytes: Buffer) =>
    asUser(t, u).inject({ method: 'POST', url: '/api/support/attachments', payload: { data: bytes.toString('base64') } });

  it('accepts a PNG by its bytes, refuses other content whatever it claims, and serves files only through links signed for one viewer', async () => {
    const u = await signUpVerified(t);
    const other = await signUpVerified(t);
    const refused = await upload(u, NOT_AN_IMAGE);
    expect(refused.statusCode).toBe(415);
    expect(refused.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const up = await upload(u, PNG);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ contentType: 'image/png', sizeBytes: PNG.length });
    const fileId: string = up.json().id;

    // Someone else cannot send my upload.
    const stolen = await create(other, { category: 'other', subject: 'Not mine', message: 'x', attachmentIds: [fileId] });
    expect(stolen.statusCode).toBe(400);

    const ticket = (await create(u, { category: 'deposits', subject: 'Receipt', message: 'Screenshot attached', attachmentIds: [fileId] })).json();
    expect(ticket.messages[0].attachments).toEqual([expect.objectContaining({ id: fileId, contentType: 'image/png' })]);
    // Sent once: it cannot be attached to a second message.
    const again = await asUser(t, u).inject({
      method: 'POST',
      url: `/api/support/tickets/${ticket.id}/messages`,
      payload: { message: 'again', attachmentIds: [fileId] },
    });
    expect(again.statusCode).toBe(400);

    const link = await asUser(t, u).inject({ method: 'GET', url: `/api/support/tickets/${ticket.id}/attachments/${fileId}` });
    expect(link.statusCode, link.body).toBe(200);
    const file = await asUser(t, u).inject({ method: 'GET', url: link.json().url });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.from(file.rawPayload).equals(PNG)).toBe(true);
    // The link is the owner's: another signed-in user gets nothing, and cannot ask for one.
    expect((await asUser(t, other).inject({ method: 'GET', url: link.json().url })).statusCode).toBe(404);
    expect((await asUser(t, other).inject({ method: 'GET', url: `/api/support/tickets/${ticket.id}/attachments/${fileId}` })).statusCode).toBe(404);

    // The operator sees it in the thread and opens it with a link of their own.
    const opThread = (await op('GET', `/${ticket.id}`)).json();
    expect(opThread.messages[0].attachments[0].id).toBe(fileId);
    const opLink = await op('GET', `/${ticket.id}/attachments/${fileId}`);
    expect(opLink.statusCode, opLink.body).toBe(200);
    const opFile = await asUser(t, operator).inject({ method: 'GET', url: opLink.json().url });
    expect(opFile.statusCode).toBe(200);
    expect(Buffer.from(opFile.rawPayload).equals(PNG)).toBe(true);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/admin/support/tickets/${ticket.id}/attachments/${fileId}` })).statusCode).toBe(403);
  });
});

describe('persistence', () => {
  it('tickets, messages, notes, assignment and attachments survive a restart on the same database', async () => {
    const u = await signUpVerified(t, { name: 'Rita Restart' });
    const file = (await asUser(t, u).inject({ method: 'POST', url: '/api/support/attachments', payload: { data: PNG.toString('base64') } })).json();
    const ticket = (await create(u, { category: 'account', subject: 'Survives', message: 'before restart', attachmentIds: [file.id] })).json();
    await op('POST', `/${ticket.id}/assign`);
    await op('POST', `/${ticket.id}/notes`, { note: 'kept' });
    await op('POST', `/${ticket.id}/replies`, { message: 'also kept', status: 'waiting_on_user' });

    await t.close();
    t = await createTestApp(env);

    const seen = (await thread(u, ticket.id)).json();
    expect(seen).toMatchObject({ subject: 'Survives', status: 'waiting_on_user', messageCount: 2 });
    expect(seen.messages.map((m: { body: string }) => m.body)).toEqual(['before restart', 'also kept']);
    const opView = (await op('GET', `/${ticket.id}`)).json();
    expect(opView.assignedTo.id).toBe(operator.user.id);
    expect(opView.messages.map((m: { body: string; internal: boolean }) => [m.body, m.internal])).toEqual([
      ['before restart', false],
      ['kept', true],
      ['also kept', false],
    ]);
    const link = (await asUser(t, u).inject({ method: 'GET', url: `/api/support/tickets/${ticket.id}/attachments/${file.id}` })).json();
    const bytes = await asUser(t, u).inject({ method: 'GET', url: link.url });
    expect(Buffer.from(bytes.rawPayload).equals(PNG)).toBe(true);
  });
});
