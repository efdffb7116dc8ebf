import { randomBytes, randomInt } from 'node:crypto';
import { ASSETS, findAsset } from '../../platform/assets.ts';
import type { PriceReader } from '../../platform/prices.ts';
import { D } from '../ledger/index.ts';
import type { CreatePaymentInput, MinAmount, PaymentProvider, ProviderPayment } from './provider.ts';
import { ProviderError } from './provider.ts';

const SIMULATED_MIN_USD = '1';
const STABLE = new Set(['USDT', 'USDC']);
const EXPIRY_MS = 60 * 60 * 1000;

function fakeAddress(symbol: string): string {
  const hex = randomBytes(20).toString('hex');
  if (symbol === 'BTC') return `tb1q${hex.slice(0, 38)}`;
  if (symbol === 'SOL') return `Sim${randomBytes(16).toString('hex')}`;
  return `0x${hex}`;
}

/**
 * Embedded-mode stand-in for NOWPayments: quotes from the platform's prices, keeps payments in memory and never
 * moves money on its own. `POST /api/dev/deposits/:id/complete` signs a callback and sends it through the real
 * webhook route, so deposits take exactly the production path from there on.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated' as const;
  private readonly payments = new Map<string, ProviderPayment>();

  constructor(private readonly prices: PriceReader) {}

  private quote(amountUsd: string, payCurrency: string): string {
    const asset = findAsset(payCurrency);
    if (!asset)
      throw new ProviderError(`Currency ${payCurrency} is not supported`, 400, 'INVALID_REQUEST_PARAMS', `${payCurrency.toUpperCase()} is not supported`);
    // Stablecoins quote at par when the market feed has not started (tests, first seconds after boot).
    const price = this.prices.get(asset.id)?.priceUsd ?? (STABLE.has(asset.symbol) ? '1' : null);
    if (!price) throw new ProviderError(`No price for ${payCurrency} yet`, 503);
    return new D(amountUsd).div(price).toDecimalPlaces(asset.amountPrecision, D.ROUND_UP).toFixed();
  }

  async createPayment(input: CreatePaymentInput): Promise<ProviderPayment> {
    const asset = findAsset(input.payCurrency);
    const p: ProviderPayment = {
      paymentId: String(randomInt(4_000_000_000, 9_999_999_999)),
      status: 'waiting',
      payAddress: fakeAddress(asset?.symbol ?? ''),
      payAmount: this.quote(input.priceAmountUsd, input.payCurrency),
      payCurrency: input.payCurrency,
      priceAmount: input.priceAmountUsd,
      actuallyPaid: null,
      payinHash: null,
      expiresAt: new Date(Date.now() + EXPIRY_MS),
    };
    this.payments.set(p.paymentId, p);
    return { ...p };
  }

  async getPayment(paymentId: string): Promise<ProviderPayment> {
    const p = this.payments.get(paymentId);
    if (!p) throw new ProviderError(`Payment ${paymentId} not found`, 404);
    return { ...p };
  }

  async minAmount(payCurrency: string): Promise<MinAmount> {
    return { minAmount: this.quote(SIMULATED_MIN_USD, payCurrency), fiatEquivalentUsd: SIMULATED_MIN_USD };
  }

  async estimate(amountUsd: string, payCurrency: string): Promise<string> {
    return this.quote(amountUsd, payCurrency);
  }

  async currencies(): Promise<string[]> {
    return ASSETS.filter((a) => a.symbol !== 'USD').map((a) => a.symbol.toLowerCase());
  }
}
