import type { DepositStatus } from '@cryptovault/contract';
import { D } from '../ledger/index.ts';
import { type CreatePaymentInput, DEPOSIT_STATUS_SET, type MinAmount, type PaymentProvider, ProviderError, type ProviderPayment, txHash } from './provider.ts';

export interface NowPaymentsOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

/**
 * NOWPayments answers amounts as JSON numbers. String() of a double gives the shortest text that reads back to
 * the same double, i.e. the digits the provider sent (they send far fewer than 17 significant digits).
 */
function dec(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  const s = String(v);
  try {
    return new D(s).toFixed();
  } catch {
    return null;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

export function parsePayment(body: Json): ProviderPayment {
  const paymentId = str(body.payment_id);
  const status = body.payment_status;
  if (!paymentId || typeof status !== 'string' || !DEPOSIT_STATUS_SET.has(status)) {
    throw new ProviderError('NOWPayments returned a payment without payment_id or a known payment_status', 502);
  }
  const expires = typeof body.expiration_estimate_date === 'string' ? new Date(body.expiration_estimate_date) : null;
  return {
    paymentId,
    status: status as DepositStatus,
    payAddress: str(body.pay_address),
    payAmount: dec(body.pay_amount),
    payCurrency: String(body.pay_currency ?? '').toLowerCase(),
    priceAmount: dec(body.price_amount) ?? '0',
    actuallyPaid: dec(body.actually_paid),
    payinHash: txHash(body.payin_hash),
    expiresAt: expires && !Number.isNaN(expires.getTime()) ? expires : null,
  };
}

/** The NOWPayments REST API (v1), production or sandbox by base URL. */
export class NowPaymentsClient implements PaymentProvider {
  readonly name = 'nowpayments' as const;
  private readonly timeoutMs: number;

  constructor(private readonly opts: NowPaymentsOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: string): Promise<Json> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.baseUrl}${path}`, {
        method,
        headers: { 'x-api-key': this.opts.apiKey, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new ProviderError(timedOut ? `NOWPayments did not answer within ${this.timeoutMs} ms` : 'NOWPayments is unreachable', null);
    }
    const text = await res.text().catch(() => '');
    let json: Json = {};
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      throw new ProviderError(`NOWPayments answered ${res.status} with a body that is not JSON`, res.status);
    }
    if (!res.ok) {
      const said = typeof json.message === 'string' ? json.message.slice(0, 200) : null;
      throw new ProviderError(`NOWPayments refused ${method} ${path.split('?')[0]}: ${said ?? `HTTP ${res.status}`}`, res.status, str(json.code), said);
    }
    return json;
  }

  async createPayment(input: CreatePaymentInput): Promise<ProviderPayment> {
    // The API wants price_amount as a JSON number: the validated decimal text is one, with no float in between.
    if (!/^\d+(\.\d+)?$/.test(input.priceAmountUsd)) throw new ProviderError('price amount is not a plain decimal', null);
    const rest = JSON.stringify({
      price_currency: 'usd',
      pay_currency: input.payCurrency,
      ipn_callback_url: input.ipnCallbackUrl,
      order_id: input.orderId,
      order_description: input.orderDescription,
    });
    const body = await this.request('POST', '/payment', `{"price_amount":${input.priceAmountUsd},${rest.slice(1)}`);
    return parsePayment(body);
  }

  async getPayment(paymentId: string): Promise<ProviderPayment> {
    return parsePayment(await this.request('GET', `/payment/${encodeURIComponent(paymentId)}`));
  }

  async minAmount(payCurrency: string): Promise<MinAmount> {
    const q = new URLSearchParams({ currency_from: payCurrency, currency_to: payCurrency, fiat_equivalent: 'usd' });
    const body = await this.request('GET', `/min-amount?${q}`);
    const min = dec(body.min_amount);
    if (!min) throw new ProviderError('NOWPayments /min-amount answered without min_amount', 502);
    return { minAmount: min, fiatEquivalentUsd: dec(body.fiat_equivalent) };
  }

  async estimate(amountUsd: string, payCurrency: string): Promise<string> {
    const q = new URLSearchParams({ amount: amountUsd, currency_from: 'usd', currency_to: payCurrency });
    const body = await this.request('GET', `/estimate?${q}`);
    const est = dec(body.estimated_amount);
    if (!est) throw new ProviderError('NOWPayments /estimate answered without estimated_amount', 502);
    return est;
  }

  async currencies(): Promise<string[]> {
    const body = await this.request('GET', '/currencies');
    const list = Array.isArray(body.currencies) ? body.currencies : [];
    return list.filter((c): c is string => typeof c === 'string').map((c) => c.toLowerCase());
  }

  /** GET /status: `{ message: "OK" }` when the API is up. */
  async status(): Promise<boolean> {
    const body = await this.request('GET', '/status');
    return body.message === 'OK';
  }
}
