import { z } from 'zod';
import { isoDateTime, pageOf, paginationQuery, positiveDecimalString } from './common.ts';

/** NOWPayments payment statuses (the simulated provider uses the same). */
export const DEPOSIT_STATUSES = ['waiting', 'confirming', 'confirmed', 'sending', 'partially_paid', 'finished', 'failed', 'refunded', 'expired'] as const;
export const depositStatus = z.enum(DEPOSIT_STATUSES);
export type DepositStatus = z.infer<typeof depositStatus>;

export const createDepositRequest = z.object({
  /** What the user wants credited, in USD. */
  amountUsd: positiveDecimalString,
  /** Provider ticker of the coin to pay with, e.g. `btc`, `eth`, `usdterc20`. */
  payCurrency: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]{2,20}$/, 'must be a currency ticker such as "btc"'),
  /**
   * What the balance receives: `usd` (the default) credits `amountUsd` in USD; `coin` credits the coin paid, in
   * the amount the provider reports received (`actually_paid`), to the balance of that asset (`depositAssetFor`).
   */
  creditAs: z.enum(['usd', 'coin']).default('usd'),
});
export type CreateDepositRequest = z.infer<typeof createDepositRequest>;

export const deposit = z.object({
  id: z.string(),
  status: depositStatus,
  payAddress: z.string().nullable(),
  payAmount: z.string().nullable(),
  payCurrency: z.string(),
  amountUsd: z.string(),
  /** What the provider reports as received so far, in the pay currency. */
  actuallyPaid: z.string().nullable(),
  /**
   * The paying transaction's hash, once the provider reports it (null before; optional: answers stored before it
   * existed do not carry it). `depositNetworkFor(payCurrency)` names the network for its explorer link.
   */
  txHash: z.string().nullable().optional(),
  /** USD credited to the balance (null until credited, and for a deposit credited in its coin). */
  creditedUsd: z.string().nullable(),
  /** The balance credited: `USD`, or the coin's asset symbol (`BTC`) for a deposit made with `creditAs: coin`. */
  creditAsset: z.string(),
  /** What was credited, in `creditAsset` (null until credited). */
  creditedAmount: z.string().nullable(),
  expiresAt: isoDateTime.nullable(),
  provider: z.enum(['nowpayments', 'simulated']),
  providerPaymentId: z.string(),
  /** `pending` while an operator has to look at it (partially paid, refunded after credit, ...). */
  review: z.enum(['pending', 'resolved']).nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Deposit = z.infer<typeof deposit>;

export const depositList = pageOf(deposit);
export const depositListQuery = paginationQuery;

export const devCompleteDepositRequest = z
  .object({ status: z.enum(['finished', 'partially_paid', 'failed', 'expired', 'confirming']).default('finished') })
  .default({ status: 'finished' });

export const webhookAck = z.object({ status: z.enum(['ok', 'accepted']) });

/** Network suffixes of provider tickers (`usdterc20`, `usdttrc20`, `usdcsol`, `bnbbsc`). */
const TICKER_NETWORK = /(erc20|trc20|bep20|bsc|sol|arb|op|base|polygon|matic|mainnet)$/;

/**
 * The asset a coin deposit paid in provider ticker `ticker` is credited to: `btc` → `BTC`, `usdterc20` → `USDT`.
 * The API accepts it only when the symbol is a listed asset.
 */
export function depositAssetFor(ticker: string): string {
  const t = ticker.trim().toLowerCase();
  const base = t.length > 3 && TICKER_NETWORK.test(t) ? t.replace(TICKER_NETWORK, '') : t;
  return (base.length >= 2 ? base : t).toUpperCase();
}

const NATIVE_NETWORK: Readonly<Record<string, string>> = { btc: 'bitcoin', ltc: 'litecoin', eth: 'ethereum', sol: 'solana', bnb: 'bep20', avax: 'c-chain' };
const SUFFIX_NETWORK: Readonly<Record<string, string>> = { erc20: 'erc20', bep20: 'bep20', bsc: 'bep20', sol: 'solana' };

/**
 * The network (an id of `NETWORKS`, for `explorerTxUrl`) a deposit paid in provider ticker `ticker` travelled on:
 * `btc` → `bitcoin`, `usdterc20` → `erc20`, `usdcsol` → `solana`; null when there is no explorer for it here.
 */
export function depositNetworkFor(ticker: string): string | null {
  const t = ticker.trim().toLowerCase();
  if (Object.hasOwn(NATIVE_NETWORK, t)) return NATIVE_NETWORK[t] ?? null;
  const suffix = TICKER_NETWORK.exec(t)?.[1];
  return suffix && t.length > suffix.length && Object.hasOwn(SUFFIX_NETWORK, suffix) ? (SUFFIX_NETWORK[suffix] ?? null) : null;
}

/** The states a person sees on the deposit page, from the provider's status. */
export type DepositStage = 'waiting' | 'confirming' | 'credited' | 'review' | 'expired' | 'failed';

export function depositStage(d: Pick<Deposit, 'status' | 'creditedAmount' | 'creditedUsd' | 'review'>): DepositStage {
  if (d.creditedAmount !== null || d.creditedUsd !== null) return 'credited';
  if (d.review === 'pending' || d.status === 'partially_paid') return 'review';
  if (d.status === 'waiting') return 'waiting';
  if (d.status === 'expired') return 'expired';
  if (d.status === 'failed' || d.status === 'refunded') return 'failed';
  return 'confirming';
}
