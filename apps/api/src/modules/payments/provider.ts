import type { DepositStatus } from '@cryptovault/contract';

/** What CryptoVault needs from a payment provider; NOWPayments and the simulated provider implement it. */
export interface CreatePaymentInput {
  priceAmountUsd: string;
  payCurrency: string;
  orderId: string;
  orderDescription: string;
  ipnCallbackUrl: string;
}

export interface ProviderPayment {
  paymentId: string;
  status: DepositStatus;
  payAddress: string | null;
  payAmount: string | null;
  payCurrency: string;
  priceAmount: string;
  actuallyPaid: string | null;
  /** The paying transaction's hash (`payin_hash`), once the provider has seen it. */
  payinHash: string | null;
  expiresAt: Date | null;
}

export interface MinAmount {
  /** Minimum in the pay currency. */
  minAmount: string;
  /** The same in USD, when the provider says. */
  fiatEquivalentUsd: string | null;
}

export interface PaymentProvider {
  readonly name: 'nowpayments' | 'simulated';
  createPayment(input: CreatePaymentInput): Promise<ProviderPayment>;
  getPayment(paymentId: string): Promise<ProviderPayment>;
  minAmount(payCurrency: string): Promise<MinAmount>;
  estimate(amountUsd: string, payCurrency: string): Promise<string>;
  currencies(): Promise<string[]>;
}

/** The provider failed or answered something we cannot use; `status` is its HTTP status, null when unreachable. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly providerCode: string | null = null,
    /** The provider's own words for a refusal (its `message`), without our method and path: shown to the person. */
    readonly providerMessage: string | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** A transaction hash as providers write them (hex, 0x-hex, base58): anything else is dropped, never stored. */
export function txHash(v: unknown): string | null {
  return typeof v === 'string' && /^(0x)?[0-9A-Za-z]{16,128}$/.test(v) ? v : null;
}

export const DEPOSIT_STATUS_SET: ReadonlySet<string> = new Set<DepositStatus>([
  'waiting',
  'confirming',
  'confirmed',
  'sending',
  'partially_paid',
  'finished',
  'failed',
  'refunded',
  'expired',
]);

export const TERMINAL_STATUSES: ReadonlySet<DepositStatus> = new Set(['finished', 'failed', 'refunded', 'expired']);

/**
 * Forward-only order. Terminal statuses never change again; `partially_paid` may still complete.
 * Callbacks arriving late (a `confirming` after `finished`) are recorded and ignored.
 */
const RANK: Record<DepositStatus, number> = {
  waiting: 0,
  confirming: 1,
  confirmed: 2,
  sending: 3,
  partially_paid: 3,
  finished: 4,
  failed: 4,
  expired: 4,
  refunded: 4,
};

export function canMove(from: DepositStatus, to: DepositStatus): boolean {
  if (from === to || TERMINAL_STATUSES.has(from)) return false;
  return RANK[to] > RANK[from];
}
