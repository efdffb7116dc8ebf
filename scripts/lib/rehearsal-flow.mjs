// The money path a new user takes, over HTTP against the rehearsed production server: sign-up with the emailed
// code, a NOWPayments deposit completed by a signed IPN callback, a market buy at the server's price.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Requests arrive as they would on Fly behind Vercel (TRUST_PROXY=vercel+fly): the X-Forwarded-For Vercel writes,
 * Fly's hop after it and in Fly-Client-IP, and the edge secret the rewrite adds.
 */
export class FlowClient {
  constructor(base, clientIp, edgeSecret) {
    this.base = base;
    this.clientIp = clientIp;
    this.edgeSecret = edgeSecret;
    this.cookies = new Map();
    this.csrf = undefined;
  }

  async call(method, path, { body, headers = {}, csrf = true, direct = false } = {}) {
    const h = { accept: 'application/json', ...headers };
    if (!direct) {
      h['x-forwarded-for'] = `${this.clientIp}, 192.0.2.10`;
      h['fly-client-ip'] = '192.0.2.10';
      h['x-cryptovault-edge-secret'] = this.edgeSecret;
    }
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (csrf && this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (body !== undefined && typeof body !== 'string') h['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (metrics, HTML)
    }
    return { status: res.status, json, text, headers: res.headers };
  }
}

export class StepError extends Error {}

const expect = (cond, message) => {
  if (!cond) throw new StepError(message);
};
/** Decimal strings compared exactly: "1000.00" and "1000.000000" are the same amount. */
const normalise = (d) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d);
const brief = (r) => `HTTP ${r.status} ${r.json?.error?.code ?? r.text.slice(0, 120)}`;

export async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new StepError(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The keys sorted at every level, no spaces, HMAC-SHA512 hex with the IPN secret (NOWPayments' signature). */
export function signIpn(body, secret) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  return createHmac('sha512', secret)
    .update(JSON.stringify(sort(body)))
    .digest('hex');
}

export async function signUp(client, sendgrid) {
  const email = `rehearsal-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
  const password = `Rehearsal ${randomBytes(9).toString('base64url')} 7`;
  // The sign-up accepts the Terms of Service in force (GET /api/legal/documents).
  const legal = await client.call('GET', '/api/legal/documents');
  const termsVersion = legal.json?.items?.find((d) => d.kind === 'terms')?.version;
  const r = await client.call('POST', '/api/auth/signup', { body: { email, password, name: 'Rehearsal User', termsVersion } });
  expect(r.status === 201, `signup: ${brief(r)}`);
  const mail = await until(() => sendgrid.mails.find((m) => m.to.includes(email)), 15_000, 'the verification email at the SendGrid stand-in');
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  expect(code, 'no 6-digit code in the verification email');
  const v = await client.call('POST', '/api/auth/verify-email', { body: { email, code } });
  expect(v.status === 200, `verify-email: ${brief(v)}`);
  expect(client.cookies.has('access_token'), 'verify-email set no access_token cookie');
  const c = await client.call('GET', '/api/csrf');
  client.csrf = c.json?.csrfToken;
  expect(client.csrf, 'no CSRF token');
  return { email, detail: `${email}: code emailed through SendGrid, verified, signed in (cookie session + CSRF)` };
}

async function usd(client) {
  const b = await client.call('GET', '/api/wallet/balances');
  expect(b.status === 200, `balances: ${brief(b)}`);
  return b.json.items;
}

export async function deposit(client, { nowpayments, ipnSecret, amountUsd = '1000.00' }) {
  const r = await client.call('POST', '/api/wallet/deposits', { body: { amountUsd, payCurrency: 'btc' }, headers: { 'idempotency-key': randomUUID() } });
  expect(r.status === 201, `deposit: ${brief(r)}`);
  const p = nowpayments.payments.get(String(r.json.providerPaymentId));
  expect(p, `the NOWPayments stand-in never saw payment ${r.json.providerPaymentId}`);
  const ipn = {
    ...p,
    payment_status: 'finished',
    actually_paid: p.pay_amount,
    outcome_amount: p.pay_amount,
    outcome_currency: 'btc',
    updated_at: new Date().toISOString(),
  };
  const bad = await client.call('POST', '/api/webhooks/nowpayments', { body: ipn, headers: { 'x-nowpayments-sig': '0'.repeat(128) }, csrf: false });
  expect(bad.status === 401, `a callback with a wrong signature answered ${brief(bad)} (401 expected)`);
  const raw = JSON.stringify(ipn);
  const ok = await client.call('POST', '/api/webhooks/nowpayments', {
    body: raw,
    headers: { 'content-type': 'application/json', 'x-nowpayments-sig': signIpn(ipn, ipnSecret) },
    csrf: false,
  });
  expect(ok.status === 200 || ok.status === 202, `signed callback: ${brief(ok)}`);
  const items = await until(
    async () => {
      const list = await usd(client);
      const cash = list.find((i) => i.asset === 'USD');
      return cash && Number.parseFloat(cash.available) > 0 ? list : null;
    },
    15_000,
    'the deposit to be credited',
  );
  const cash = items.find((i) => i.asset === 'USD');
  expect(normalise(cash.available) === normalise(amountUsd), `credited ${cash.available} USD, expected ${amountUsd}`);
  return `payment ${p.payment_id} created at the NOWPayments stand-in; forged callback refused (401); signed "finished" callback credited ${cash.available} USD`;
}

export async function trade(client, { quoteAmount = '250' } = {}) {
  const body = { symbol: 'BTC/USD', side: 'buy', type: 'market', quoteAmount };
  const key = randomUUID();
  // The price feed may still be warming up right after start: PRICE_STALE is retried, anything else is final.
  const r = await until(
    async () => {
      const res = await client.call('POST', '/api/orders', { body, headers: { 'idempotency-key': key } });
      return res.status === 422 && res.json?.error?.code === 'PRICE_STALE' ? null : res;
    },
    30_000,
    'fresh prices to trade on',
  );
  expect(r.status === 201, `order: ${brief(r)}`);
  expect(r.json.status === 'closed' && Number.parseFloat(r.json.filled) > 0, `market order not filled: status ${r.json.status}, filled ${r.json.filled}`);
  const again = await client.call('POST', '/api/orders', { body, headers: { 'idempotency-key': key } });
  expect(again.status === 201 && again.json.id === r.json.id, 'the same Idempotency-Key placed a second order');
  const items = await usd(client);
  const btc = items.find((i) => i.asset === 'BTC');
  const cash = items.find((i) => i.asset === 'USD');
  expect(btc && Number.parseFloat(btc.available) > 0, 'no BTC after the buy');
  return `market buy for ${quoteAmount} USD filled ${r.json.filled} BTC at ${r.json.average}; now ${btc.available} BTC and ${cash?.available ?? '0'} USD; retry with the same key returned the same order`;
}
