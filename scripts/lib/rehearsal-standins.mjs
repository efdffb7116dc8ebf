// Local stand-ins for the production providers the rehearsal runs against: SendGrid (mail/send) and
// NOWPayments (payment API). They speak the documented formats and record what the API sent them.
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';

function listen(handler) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }),
    ),
  );
}

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));

/** SendGrid v3: POST /v3/mail/send with a Bearer key → 202. Keeps each message's recipients and text. */
export async function startSendGrid(apiKey) {
  const mails = [];
  const s = await listen((req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return send(res, 404, { errors: [{ message: 'not found' }] });
    if (req.headers.authorization !== `Bearer ${apiKey}`) return send(res, 401, { errors: [{ message: 'authorization required' }] });
    const m = JSON.parse(body);
    const to = (m.personalizations ?? []).flatMap((p) => (p.to ?? []).map((t) => t.email));
    mails.push({ to, subject: m.subject, text: (m.content ?? []).map((c) => c.value).join('\n') });
    send(res, 202);
  });
  return { ...s, mails };
}

/** NOWPayments v1: /status, /currencies, /min-amount, /estimate, POST /payment and GET /payment/:id (x-api-key). */
export async function startNowPayments(apiKey) {
  const payments = new Map();
  const s = await listen((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers['x-api-key'] !== apiKey) return send(res, 403, { status: false, statusCode: 403, code: 'INVALID_API_KEY', message: 'Invalid api key' });
    if (url.pathname === '/v1/status') return send(res, 200, { message: 'OK' });
    if (url.pathname === '/v1/currencies') return send(res, 200, { currencies: ['btc', 'eth', 'usdttrc20'] });
    if (url.pathname === '/v1/min-amount')
      return send(res, 200, { currency_from: url.searchParams.get('currency_from'), currency_to: 'btc', min_amount: 0.0001, fiat_equivalent: 9.5 });
    if (url.pathname === '/v1/estimate')
      return send(res, 200, { currency_from: 'usd', amount_from: Number(url.searchParams.get('amount')), currency_to: 'btc', estimated_amount: 0.0105 });
    if (url.pathname === '/v1/payment' && req.method === 'POST') {
      const b = JSON.parse(body);
      const p = {
        payment_id: randomInt(1_000_000_000, 9_999_999_999),
        payment_status: 'waiting',
        pay_address: 'bc1qrehearsal0000000000000000000000000000',
        price_amount: b.price_amount,
        price_currency: b.price_currency,
        pay_amount: 0.0105,
        pay_currency: b.pay_currency,
        order_id: b.order_id,
        order_description: b.order_description,
        ipn_callback_url: b.ipn_callback_url,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
        purchase_id: String(randomInt(1_000_000_000, 9_999_999_999)),
        expiration_estimate_date: new Date(Date.now() + 3_600_000).toISOString(),
      };
      payments.set(String(p.payment_id), p);
      return send(res, 201, p);
    }
    const m = /^\/v1\/payment\/(\w+)$/.exec(url.pathname);
    if (m && payments.has(m[1])) return send(res, 200, payments.get(m[1]));
    send(res, 404, { status: false, statusCode: 404, code: 'NOT_FOUND', message: 'not found' });
  });
  return { ...s, payments };
}
