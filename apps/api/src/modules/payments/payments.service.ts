import { randomUUID } from 'node:crypto';
import { type CreateDepositRequest, type Deposit, type DepositStatus, depositAssetFor, formatMoney } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type IdempotentResult, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { credit, D, decimalPlaces, emitBalanceChanges, fixed, type UserBalance } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import * as repo from './payments.repo.ts';
import type { DepositRow } from './payments.schema.ts';
import { canMove, type PaymentProvider, ProviderError } from './provider.ts';
import { checkKycLimit, recordKycUsage, releaseKycUsage } from '../kyc/index.ts';

export interface PaymentsDeps {
  platform: Platform;
  provider: PaymentProvider;
}

const MAX_DEPOSIT_USD = '1000000';
const CURRENCY_CACHE_MS = 60 * 60 * 1000;

const num = (v: string | null): string | null => (v === null ? null : new D(v).toFixed());

export function depositView(r: DepositRow): Deposit {
  return {
    id: r.id,
    status: r.status,
    payAddress: r.payAddress,
    payAmount: num(r.payAmount),
    payCurrency: r.payCurrency,
    amountUsd: fixed(r.amountUsd, 2),
    actuallyPaid: num(r.actuallyPaid),
    txHash: r.payinHash ?? null,
    creditedUsd: r.creditedUsd === null ? null : fixed(r.creditedUsd, 2),
    creditAsset: r.creditAsset,
    creditedAmount: r.creditedAmount === null ? null : r.creditAsset === QUOTE_ASSET ? fixed(r.creditedAmount, 2) : num(r.creditedAmount),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    provider: r.provider,
    providerPaymentId: r.providerPaymentId,
    review: r.review,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function providerFailure(err: unknown): AppError {
  // 401/403 (our key) and 429 (its rate limit) are not about this payment: the person can only try again later.
  if (err instanceof ProviderError && err.status !== null && err.status >= 400 && err.status < 500 && ![401, 403, 429].includes(err.status)) {
    const said = err.providerMessage?.replace(/[.\s]+$/, '');
    return new AppError(
      'VALIDATION_ERROR',
      `The payment provider could not create this payment${said ? ` (it said: “${said}”)` : ''}. Try another amount or coin; if it keeps happening, contact support.`,
    );
  }
  return new AppError('UNAVAILABLE', 'The payment provider is not reachable right now; try again shortly', undefined, 30);
}

let currencyCache: { at: number; list: Set<string>; provider: string } | null = null;

async function supportedCurrencies(provider: PaymentProvider): Promise<Set<string>> {
  if (currencyCache && currencyCache.provider === provider.name && Date.now() - currencyCache.at < CURRENCY_CACHE_MS) return currencyCache.list;
  const list = new Set(await provider.currencies());
  currencyCache = { at: Date.now(), list, provider: provider.name };
  return list;
}

/** A coin deposit credited without review may exceed its quoted coin amount by at most 1%. */
const OVERPAYMENT_TOLERANCE = '1.01';

/** Checks currency and minimum with the provider, then creates the payment and the deposit in one idempotent unit. */
export async function createDeposit(d: PaymentsDeps, userId: string, input: CreateDepositRequest, key: string | null): Promise<IdempotentResult<Deposit>> {
  const { platform, provider } = d;
  if (decimalPlaces(input.amountUsd) > 2)
    throw new AppError('VALIDATION_ERROR', 'Amount has at most 2 decimals (cents)', [
      { path: ['body', 'amountUsd'], message: 'has at most 2 decimals (cents)' },
    ]);
  if (new D(input.amountUsd).gt(MAX_DEPOSIT_USD))
    throw new AppError('LIMIT_EXCEEDED', `A single deposit is at most ${formatMoney(MAX_DEPOSIT_USD, QUOTE_ASSET)}`);
  const creditAsset = input.creditAs === 'coin' ? coinAssetOf(input.payCurrency) : QUOTE_ASSET;
  const limit = await platform.rateLimiter.check({ name: 'deposits:user', limit: 30, windowMs: 3_600_000 }, userId);
  if (!limit.allowed) throw new AppError('RATE_LIMITED', 'Too many deposits requested; try again later', undefined, limit.retryAfterSeconds);

  return runIdempotent(platform.database.db, { userId, scope: 'deposit', key, body: input }, async (tx) => {
    try {
      // The verification tier's limits (modules/kyc), before the provider is asked for a payment.
      await checkKycLimit(tx, platform.config, { userId, kind: 'deposit', amountUsd: input.amountUsd });
      if (!(await supportedCurrencies(provider)).has(input.payCurrency)) {
        throw new AppError('VALIDATION_ERROR', `${input.payCurrency.toUpperCase()} is not accepted for deposits`, [
          { path: ['body', 'payCurrency'], message: 'is not accepted for deposits' },
        ]);
      }
      const min = await provider.minAmount(input.payCurrency);
      const belowMin = min.fiatEquivalentUsd
        ? new D(input.amountUsd).lt(min.fiatEquivalentUsd)
        : new D(await provider.estimate(input.amountUsd, input.payCurrency)).lt(min.minAmount);
      if (belowMin) {
        const coin = input.payCurrency.toUpperCase();
        const usd = min.fiatEquivalentUsd ? ` (about ${formatMoney(new D(min.fiatEquivalentUsd).toDecimalPlaces(2, D.ROUND_UP), QUOTE_ASSET)})` : '';
        throw new AppError('MIN_AMOUNT', `The minimum payment in ${coin} is ${formatMoney(min.minAmount, coin, { maxDecimals: 18 })}${usd}`, {
          minAmount: min.minAmount,
          minAmountUsd: min.fiatEquivalentUsd,
        });
      }
      const id = randomUUID();
      const p = await provider.createPayment({
        priceAmountUsd: input.amountUsd,
        payCurrency: input.payCurrency,
        orderId: id,
        orderDescription: `CryptoVault deposit ${id}`,
        ipnCallbackUrl: `${platform.config.publicApiUrl}/api/webhooks/nowpayments`,
      });
      const row = await repo.insertDeposit(tx, {
        id,
        userId,
        provider: provider.name,
        providerPaymentId: p.paymentId,
        status: p.status,
        amountUsd: input.amountUsd,
        payCurrency: input.payCurrency,
        creditAsset,
        payAmount: p.payAmount,
        payAddress: p.payAddress,
        actuallyPaid: p.actuallyPaid,
        expiresAt: p.expiresAt,
      });
      await repo.recordStatus(tx, id, p.status, 'create');
      await recordKycUsage(tx, { userId, kind: 'deposit', amountUsd: input.amountUsd, reference: `deposit:${id}` });
      return { status: 201, body: depositView(row) };
    } catch (err) {
      throw err instanceof AppError ? err : providerFailure(err);
    }
  });
}

/** The listed asset a deposit paid in `ticker` is credited to with `creditAs: coin`; 400 when there is none. */
function coinAssetOf(ticker: string): string {
  const asset = findAsset(depositAssetFor(ticker));
  if (!asset || asset.symbol === QUOTE_ASSET) {
    const message = `cannot be credited in its own coin: ${ticker.toUpperCase()} is not an asset held on CryptoVault; choose USD`;
    throw new AppError('VALIDATION_ERROR', `Payment currency ${message}`, [{ path: ['body', 'payCurrency'], message }]);
  }
  return asset.symbol;
}

/** What a deposit says in a notification: "$25,000.00", or "0.0155 BTC" once a coin deposit is credited. */
function depositWords(dep: DepositRow): string {
  if (dep.creditAsset !== QUOTE_ASSET) {
    if (dep.creditedAmount) return formatMoney(dep.creditedAmount, dep.creditAsset, { maxDecimals: 18 });
    return `${formatMoney(dep.amountUsd, QUOTE_ASSET)} in ${dep.creditAsset}`;
  }
  return formatMoney(dep.creditedUsd ?? dep.amountUsd, QUOTE_ASSET);
}

export async function listDeposits(d: PaymentsDeps, userId: string, q: { limit: number; cursor?: string }) {
  const rows = await repo.listUserDeposits(d.platform.database.db, userId, q.limit, decodeCursor(q.cursor));
  return page(rows, q.limit, depositView);
}

export async function getDeposit(d: PaymentsDeps, userId: string, id: string): Promise<Deposit> {
  const row = await repo.findDeposit(d.platform.database.db, id, userId);
  if (!row) throw notFound('Deposit');
  return depositView(row);
}

export interface StatusUpdate {
  paymentId: string;
  status: DepositStatus;
  actuallyPaid?: string | null;
  /** The paying transaction (`payin_hash`): kept once reported, for the explorer link. */
  payinHash?: string | null;
  /** What the provider says the payment was for; a mismatch sends the deposit to review instead of crediting. */
  priceAmount?: string | null;
  payCurrency?: string | null;
  /** NOWPayments' `outcome_amount`/`outcome_currency`: what reaches the merchant's wallet (kept in the ledger memo). */
  outcomeAmount?: string | null;
  outcomeCurrency?: string | null;
}

export type ApplyOutcome = 'processed' | 'duplicate' | 'stale' | 'review' | 'unknown_payment';

/**
 * News about money that arrives after a deposit was closed, which the forward-only rule would otherwise drop: paid
 * after we expired it (or after it failed), refunded after it was credited. An operator decides (the admin deposit
 * review queue); nothing is credited or debited automatically. null for any other late status (ignored as before).
 */
function lateFinalReason(dep: DepositRow, u: StatusUpdate): string | null {
  const usd = formatMoney(dep.amountUsd, QUOTE_ASSET);
  if ((dep.status === 'expired' || dep.status === 'failed') && (u.status === 'finished' || u.status === 'partially_paid')) {
    const paid = u.actuallyPaid ? ` (${formatMoney(u.actuallyPaid, u.payCurrency ?? dep.payCurrency, { maxDecimals: 18 })} paid)` : '';
    return `${u.status} after the deposit was ${dep.status}${paid}: nothing was credited; credit up to ${usd} if the payment arrived`;
  }
  if (u.status === 'refunded' && dep.creditedAt) {
    return `refunded after ${depositWords(dep)} was credited: the credit stands until an operator decides`;
  }
  return null;
}

/**
 * Applies one provider status to its deposit, under the deposit's row lock: repeats (same payment + status) and
 * backward moves change nothing; `finished` credits the ledger exactly once; `partially_paid` and any mismatch go
 * to the operator review queue. Side effects (sockets, notifications) run after commit.
 */
export async function applyStatus(
  d: PaymentsDeps,
  u: StatusUpdate,
  source: 'ipn' | 'poll' | 'expiry',
): Promise<{ outcome: ApplyOutcome; deposit?: DepositRow }> {
  const { platform } = d;
  let balances: UserBalance[] = [];
  const result = await platform.database.db.transaction(async (tx) => {
    let dep = await repo.lockDepositByPaymentId(tx, d.provider.name, u.paymentId);
    if (!dep) return { outcome: 'unknown_payment' as const };
    // The paying transaction is kept the first time it is reported, whatever else this news does (a repeat, a late
    // payment for review): the explorer link is what people and operators check first.
    if (u.payinHash && !dep.payinHash) dep = await repo.updateDeposit(tx, dep.id, { payinHash: u.payinHash });
    const fresh = await repo.recordStatus(tx, dep.id, u.status, source);
    if (!fresh) return { outcome: 'duplicate' as const, deposit: dep };
    if (!canMove(dep.status, u.status)) {
      const reason = lateFinalReason(dep, u);
      if (!reason) return { outcome: 'stale' as const, deposit: dep };
      const updated = await repo.updateDeposit(tx, dep.id, { review: 'pending', reviewReason: reason });
      return { outcome: 'review' as const, deposit: updated };
    }
    const set: Partial<repo.NewDeposit> = { status: u.status };
    if (u.actuallyPaid) set.actuallyPaid = u.actuallyPaid;
    if (u.payinHash) set.payinHash = u.payinHash;
    const mismatch =
      (u.priceAmount &&
        !new D(u.priceAmount).eq(dep.amountUsd) &&
        `the provider reports a price of ${formatMoney(u.priceAmount, QUOTE_ASSET, { maxDecimals: 18 })} (price_amount) for this ${formatMoney(dep.amountUsd, QUOTE_ASSET)} deposit`) ||
      (u.payCurrency &&
        u.payCurrency.toLowerCase() !== dep.payCurrency &&
        `the provider reports payment in ${u.payCurrency.toUpperCase()} (pay_currency) for a deposit to be paid in ${dep.payCurrency.toUpperCase()}`) ||
      null;
    const coin = dep.creditAsset !== QUOTE_ASSET;
    // A coin deposit credits what the provider reports received (`actually_paid`, in the pay currency), to the
    // asset's precision; without a positive amount it cannot be credited and goes to review.
    const received = coin && u.actuallyPaid ? new D(u.actuallyPaid).toDecimalPlaces(findAsset(dep.creditAsset)?.amountPrecision ?? 8, D.ROUND_DOWN) : null;
    const noAmount = coin && u.status === 'finished' && !received?.gt(0) ? 'no amount received (actually_paid) was reported' : null;
    // Much more coin than quoted is never credited unseen: the verification tier's allowance was reserved for the
    // quote (a $20 deposit paid with 50 BTC would credit 50 BTC against $20 of allowance). A little more is usual.
    const overpaid =
      coin && u.status === 'finished' && received && dep.payAmount && received.gt(new D(dep.payAmount).times(OVERPAYMENT_TOLERANCE))
        ? `${formatMoney(received, dep.creditAsset, { maxDecimals: 18 })} received, more than the ${formatMoney(dep.payAmount, dep.creditAsset, { maxDecimals: 18 })} quoted`
        : null;
    if (u.status === 'finished' && !dep.creditedAt && !mismatch && !noAmount && !overpaid) {
      const amount = coin && received ? received.toFixed() : dep.amountUsd;
      const posted = await credit(tx, {
        userId: dep.userId,
        asset: dep.creditAsset,
        amount,
        reference: `deposit:${dep.id}`,
        memo: {
          provider: dep.provider,
          paymentId: dep.providerPaymentId,
          ...(coin ? { actuallyPaid: u.actuallyPaid, outcomeAmount: u.outcomeAmount ?? null, outcomeCurrency: u.outcomeCurrency ?? null } : {}),
        },
      });
      balances = posted.balances;
      if (!coin) set.creditedUsd = dep.amountUsd;
      set.creditedAmount = amount;
      set.creditedAt = new Date();
    } else if (u.status === 'finished' && (mismatch || noAmount || overpaid)) {
      set.review = 'pending';
      set.reviewReason = `finished but ${mismatch || noAmount || overpaid}; nothing was credited`;
    } else if (u.status === 'partially_paid') {
      set.review = 'pending';
      set.reviewReason = `partially paid: ${u.actuallyPaid ? formatMoney(u.actuallyPaid, u.payCurrency ?? dep.payCurrency, { maxDecimals: 18 }) : '?'} of ${dep.payAmount ? formatMoney(dep.payAmount, dep.payCurrency, { maxDecimals: 18 }) : '?'}`;
    }
    // A deposit that will never be paid gives its allowance back.
    if ((u.status === 'expired' || u.status === 'failed') && !dep.creditedAt) await releaseKycUsage(tx, `deposit:${dep.id}`);
    const updated = await repo.updateDeposit(tx, dep.id, set);
    return { outcome: 'processed' as const, deposit: updated };
  });
  const dep = result.deposit;
  if ((result.outcome === 'processed' || result.outcome === 'review') && dep?.review === 'pending') {
    platform.events.emit('deposit.review', {
      depositId: dep.id,
      userId: dep.userId,
      amountUsd: fixed(dep.amountUsd, 2),
      status: dep.status,
      reason: dep.reviewReason,
    });
  }
  if (result.outcome === 'processed' && result.deposit) await afterStatusChange(d, result.deposit, balances);
  if (result.outcome === 'review' && result.deposit) {
    platform.log.warn({ depositId: result.deposit.id, status: u.status, source }, 'late payment status sent to operator review');
    await afterLateReview(d, result.deposit, u.status);
  }
  return result;
}

async function afterLateReview(d: PaymentsDeps, dep: DepositRow, late: DepositStatus): Promise<void> {
  const { platform } = d;
  platform.realtime.toUser(dep.userId, 'deposit:update', depositView(dep));
  const usd = depositWords(dep);
  const body =
    late === 'refunded'
      ? `The payment provider reports your deposit of ${usd} as refunded; our team is reviewing it.`
      : `A payment for your deposit of ${usd} arrived after it had ${dep.status === 'expired' ? 'expired' : 'failed'}; our team is reviewing it.`;
  await notify(platform, {
    userId: dep.userId,
    type: 'deposit',
    title: 'Deposit under review',
    body,
    data: { depositId: dep.id, status: dep.status },
    email: true,
  });
}

async function afterStatusChange(d: PaymentsDeps, dep: DepositRow, balances: UserBalance[]): Promise<void> {
  const { platform } = d;
  const view = depositView(dep);
  platform.realtime.toUser(dep.userId, 'deposit:update', view);
  if (balances.length > 0) emitBalanceChanges(platform, balances);
  const usd = depositWords(dep);
  const data = { depositId: dep.id, status: dep.status };
  if (dep.status === 'finished' && dep.creditedAt) {
    await notify(platform, {
      userId: dep.userId,
      type: 'deposit',
      title: 'Deposit credited',
      body: `Your deposit of ${usd} has been credited to your balance.`,
      data,
      email: true,
    });
  } else if (dep.review === 'pending') {
    await notify(platform, {
      userId: dep.userId,
      type: 'deposit',
      title: 'Deposit under review',
      body: `Your deposit of ${usd} did not arrive as expected (${dep.status}); our team is reviewing it.`,
      data,
      email: true,
    });
  } else if (dep.status === 'failed' || dep.status === 'expired' || dep.status === 'refunded') {
    await notify(platform, {
      userId: dep.userId,
      type: 'deposit',
      title: `Deposit ${dep.status}`,
      body: `Your deposit of ${usd} ${dep.status === 'expired' ? 'expired before payment arrived' : `was ${dep.status}`}.`,
      data,
    });
  }
}
