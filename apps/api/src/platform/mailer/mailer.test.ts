import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { DevOutboxMailer } from './dev-outbox.ts';
import { escapeHtml } from './layout.ts';
import { createMailer, MailError } from './mailer.ts';
import { parseAddress, SendGridMailer } from './sendgrid.ts';

interface Received {
  auth: string | undefined;
  contentType: string | undefined;
  body: {
    personalizations: { to: { email: string }[] }[];
    from: { email: string; name?: string };
    subject: string;
    content: { type: string; value: string }[];
  };
}

/** A SendGrid stand-in: checks the documented request shape; answers by the recipient's local part. */
let server: Server;
let baseUrl = '';
const received: Received[] = [];
const failuresLeft = new Map<string, number>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== 'Bearer SG.test-key') {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: 'The provided authorization grant is invalid', field: null }] }));
      return;
    }
    const body = JSON.parse(raw) as Received['body'];
    received.push({ auth: req.headers.authorization, contentType: req.headers['content-type'], body });
    const to = body.personalizations?.[0]?.to?.[0]?.email ?? '';
    const shapeOk = Boolean(to && body.from?.email && body.subject && body.content?.length);
    if (!shapeOk || to.startsWith('bad')) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: 'Does not contain a valid address.', field: 'personalizations.0.to' }] }));
      return;
    }
    const left = failuresLeft.get(to) ?? 0;
    if (to.startsWith('flaky') && left > 0) {
      failuresLeft.set(to, left - 1);
      res.writeHead(500).end('oops');
      return;
    }
    if (to.startsWith('down')) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(202).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const log = pino({ level: 'silent' });
const mailer = (apiKey = 'SG.test-key') =>
  new SendGridMailer({ apiKey, baseUrl, from: 'CryptoVault <no-reply@cryptovault.financial>', retryDelaysMs: [10, 10] }, log);
const msg = (to: string) => ({ to, subject: 'Hello', text: 'plain body', html: '<p>html body</p>' });

describe('SendGrid mailer', () => {
  it('posts the documented shape with a Bearer key and accepts 202', async () => {
    received.length = 0;
    await mailer().send(msg('ok@example.test'));
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.auth).toBe('Bearer SG.test-key');
    expect(r.contentType).toMatch(/application\/json/);
    expect(r.body).toEqual({
      personalizations: [{ to: [{ email: 'ok@example.test' }] }],
      from: { email: 'no-reply@cryptovault.financial', name: 'CryptoVault' },
      subject: 'Hello',
      content: [
        { type: 'text/plain', value: 'plain body' },
        { type: 'text/html', value: '<p>html body</p>' },
      ],
    });
  });

  it('asks for sandbox mode when configured (SENDGRID_SANDBOX, e.g. staging): validated, not delivered', async () => {
    received.length = 0;
    const config = loadConfig({ ENVIRONMENT: 'test', SENDGRID_API_KEY: 'SG.test-key', SENDGRID_BASE_URL: baseUrl, SENDGRID_SANDBOX: 'true' }).config;
    await createMailer(config, log).send(msg('ok@example.test'));
    expect(received[0]?.body).toMatchObject({ mail_settings: { sandbox_mode: { enable: true } } });
    received.length = 0;
    await mailer().send(msg('ok@example.test'));
    expect(received[0]?.body).not.toHaveProperty('mail_settings');
  });

  it('does not retry a 400 and reports the provider errors', async () => {
    received.length = 0;
    const err = await mailer()
      .send(msg('bad@example.test'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect((err as MailError).status).toBe(400);
    expect((err as MailError).message).toContain('personalizations.0.to');
    expect(received).toHaveLength(1);
  });

  it('retries a 500 and succeeds when the provider recovers', async () => {
    received.length = 0;
    failuresLeft.set('flaky@example.test', 2);
    await mailer().send(msg('flaky@example.test'));
    expect(received).toHaveLength(3);
  });

  it('gives up after the retries on persistent 5xx, and fails fast on a bad key (401)', async () => {
    received.length = 0;
    const err = await mailer()
      .send(msg('down@example.test'))
      .catch((e: unknown) => e);
    expect((err as MailError).status).toBe(503);
    expect(received).toHaveLength(3);
    const auth = await mailer('SG.wrong')
      .send(msg('ok@example.test'))
      .catch((e: unknown) => e);
    expect((auth as MailError).status).toBe(401);
    expect((auth as MailError).retryable).toBe(false);
  });

  it('reports an unreachable provider as retryable', async () => {
    const m = new SendGridMailer({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', from: 'a@b.c', retryDelaysMs: [] }, log);
    const err = await m.send(msg('x@example.test')).catch((e: unknown) => e);
    expect((err as MailError).status).toBeNull();
    expect((err as MailError).retryable).toBe(true);
  });
});

describe('mailer selection and helpers', () => {
  it('uses SendGrid when SENDGRID_API_KEY is set, the dev outbox otherwise', () => {
    expect(createMailer(loadConfig({ ENVIRONMENT: 'test' }).config, log).kind).toBe('dev-outbox');
    expect(createMailer(loadConfig({ ENVIRONMENT: 'test', SENDGRID_API_KEY: 'SG.x' }).config, log).kind).toBe('sendgrid');
  });

  it('the dev outbox keeps messages newest first, filtered by recipient', async () => {
    const outbox = new DevOutboxMailer(log, 3);
    for (const to of ['a@x.io', 'b@x.io', 'A@x.io', 'c@x.io']) await outbox.send(msg(to));
    expect(outbox.list().map((m) => m.to)).toEqual(['c@x.io', 'A@x.io', 'b@x.io']);
    expect(outbox.list('a@X.io').map((m) => m.to)).toEqual(['A@x.io']);
  });

  it('parses sender addresses and escapes HTML', () => {
    expect(parseAddress('CryptoVault <no-reply@x.io>')).toEqual({ email: 'no-reply@x.io', name: 'CryptoVault' });
    expect(parseAddress('no-reply@x.io')).toEqual({ email: 'no-reply@x.io' });
    expect(escapeHtml(`<script>"x"&'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;');
  });
});
