import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NowPaymentsClient } from './nowpayments.client.ts';
import { providerFailure } from './payments.service.ts';
import { ProviderError } from './provider.ts';

/** A stand-in for api.nowpayments.io speaking its documented shapes. */
interface Seen {
  method: string;
  url: string;
  apiKey: string | undefined;
  body: string;
}
const seen: Seen[] = [];
let server: Server;
let base: string;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ method: req.method ?? '', url: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined, body });
  if (req.headers['x-api-key'] !== 'good-key') return send(res, 403, { status: false, statusCode: 403, code: 'INVALID_API_KEY', message: 'Invalid api key' });
  if (url.pathname === '/v1/status') return send(res, 200, { message: 'OK' });
  if (url.pathname === '/v1/currencies') return send(res, 200, { currencies: ['BTC', 'eth', 'usdterc20'] });
  if (url.pathname === '/v1/min-amount') {
    return send(res, 200, { currency_from: url.searchParams.get('currency_from'), currency_to: 'btc', min_amount: 0.0000776, fiat_equivalent: 7.37 });
  }
  if (url.pathname === '/v1/estimate') {
    return send(res, 200, { currency_from: 'usd', amount_from: Number(url.searchParams.get('amount')), currency_to: 'btc', estimated_amount: 0.00153442 });
  }
  if (url.pathname === '/v1/payment' && req.method === 'POST') {
    const b = JSON.parse(body) as Record<string, unknown>;
    if (b.pay_currency === 'nope') {
      return send(res, 400, { status: false, statusCode: 400, code: 'INVALID_REQUEST_PARAMS', message: 'pay_currency is not supported' });
    }
    return send(res, 201, {
      payment_id: 5745459419,
      payment_status: 'waiting',
      pay_address: '3EZ2uTdVDAMFXTfc6uLDDKR6o8qKBZXVkj',
      price_amount: b.price_amount,
      price_currency: b.price_currency,
      pay_amount: 0.17070286,
      pay_currency: b.pay_currency,
      order_id: b.order_id,
      order_description: b.order_description,
      ipn_callback_url: b.ipn_callback_url,
      created_at: '2026-11-02T12:00:00.000Z',
      updated_at: '2026-11-02T12:00:00.000Z',
      purchase_id: '6084744717',
      amount_received: null,
      payin_extra_id: null,
      smart_contract: '',
      network: 'btc',
      network_precision: 8,
      time_limit: null,
      burning_percent: null,
      expiration_estimate_date: '2026-11-02T13:00:00.000Z',
    });
  }
  if (url.pathname === '/v1/payment/5745459419') {
    return send(res, 200, {
      payment_id: 5745459419,
      payment_status: 'partially_paid',
      pay_address: '3EZ2uTdVDAMFXTfc6uLDDKR6o8qKBZXVkj',
      price_amount: 3999.5,
      price_currency: 'usd',
      pay_amount: 0.17070286,
      actually_paid: 0.1,
      pay_currency: 'btc',
      order_id: 'o-1',
      outcome_amount: 0.1,
      outcome_currency: 'btc',
    });
  }
  if (url.pathname === '/v1/payment/slow') {
    await new Promise((r) => setTimeout(r, 1500));
    return send(res, 200, {});
  }
  if (url.pathname === '/v1/payment/garbage') {
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    return;
  }
  send(res, 404, { status: false, statusCode: 404, code: 'NOT_FOUND', message: 'Payment not found' });
}

beforeAll(async () => {
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// A generous timeout for answers the stand-in gives at once (the first call of a loaded machine can take
// hundreds of milliseconds); the timeout test passes its own short one.
const client = (timeoutMs = 5000) => new NowPaymentsClient({ apiKey: 'good-key', baseUrl: base, timeoutMs });

describe('NowPaymentsClient against a stand-in server', () => {
  it('creates a payment with the documented body and header, keeping amounts exact', async () => {
    const p = await client().createPayment({
      priceAmountUsd: '3999.50',
      payCurrency: 'btc',
      orderId: 'dep-1',
      orderDescription: 'CryptoVault deposit',
      ipnCallbackUrl: 'https://api.example/api/webhooks/nowpayments',
    });
    expect(p).toMatchObject({ paymentId: '5745459419', status: 'waiting', payAmount: '0.17070286', payCurrency: 'btc', priceAmount: '3999.5' });
    expect(p.expiresAt?.toISOString()).toBe('2026-11-02T13:00:00.000Z');
    const req = seen.findLast((s) => s.method === 'POST');
    expect(req?.apiKey).toBe('good-key');
    expect(req?.body.startsWith('{"price_amount":3999.50,')).toBe(true);
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({
      price_currency: 'usd',
      pay_currency: 'btc',
      order_id: 'dep-1',
      ipn_callback_url: 'https://api.example/api/webhooks/nowpayments',
    });
  });

  it('reads a payment status', async () => {
    const p = await client().getPayment('5745459419');
    expect(p).toMatchObject({ status: 'partially_paid', actuallyPaid: '0.1', payAmount: '0.17070286' });
  });

  it('reads the minimum amount, an estimate, currencies and API status', async () => {
    expect(await client().minAmount('btc')).toEqual({ minAmount: '0.0000776', fiatEquivalentUsd: '7.37' });
    expect(await client().estimate('100', 'btc')).toBe('0.00153442');
    expect(seen.findLast((s) => s.url.startsWith('/v1/estimate'))?.url).toContain('currency_from=usd');
    expect(await client().currencies()).toEqual(['btc', 'eth', 'usdterc20']);
    expect(await client().status()).toBe(true);
  });

  it('turns provider errors into ProviderError with status and code', async () => {
    const err = await client()
      .createPayment({ priceAmountUsd: '10', payCurrency: 'nope', orderId: 'x', orderDescription: 'x', ipnCallbackUrl: 'http://x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 400, providerCode: 'INVALID_REQUEST_PARAMS', providerMessage: 'pay_currency is not supported' });
    // What the person reads: the provider's words, without our method and path, and what to do.
    expect(providerFailure(err).message).toBe(
      'The payment provider could not create this payment (it said: “pay_currency is not supported”). Try another amount or coin; if it keeps happening, contact support.',
    );
    expect(providerFailure(err).code).toBe('VALIDATION_ERROR');
    // Our key refused, or the provider's rate limit: not about this payment, so "try later", not "try another coin".
    for (const status of [401, 403, 429]) {
      expect(providerFailure(new ProviderError('NOWPayments refused POST /payment', status, null, 'Too many requests')).code).toBe('UNAVAILABLE');
    }
    await expect(client().getPayment('404')).rejects.toMatchObject({ status: 404 });
    await expect(new NowPaymentsClient({ apiKey: 'bad', baseUrl: base }).currencies()).rejects.toMatchObject({ status: 403, providerCode: 'INVALID_API_KEY' });
    await expect(client().getPayment('garbage')).rejects.toMatchObject({ status: 502 });
  });

  it('gives up after the timeout, and when the server is unreachable', async () => {
    const t0 = Date.now();
    await expect(client(500).getPayment('slow')).rejects.toThrow(/did not answer within 500 ms/);
    expect(Date.now() - t0).toBeLessThan(1400);
    await expect(new NowPaymentsClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1/v1', timeoutMs: 500 }).currencies()).rejects.toMatchObject({ status: null });
  });
});
