import { randomUUID } from 'node:crypto';
import type { CreateDepositRequest, Deposit, DepositStatus } from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type IdempotentResult, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { credit, D, decimalPlaces, emitBalanceChanges, fixed, type UserBalance } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import * as repo from './payments.repo.ts';
import type { DepositRow } from './payments.schema.ts';
import { canMove, type PaymentProvider, ProviderError } from './provider.ts';

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
    creditedUsd: r.creditedUsd === null ? null : fixed(r.creditedUsd, 2),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    provider: r.provider,
    providerPaymentId: r.providerPaymentId,
    review: r.review,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function providerFailure(err: unknown): AppError {
  if (err instanceof ProviderError && err.status !== null && err.status >= 400 && err.status < 500) {
    return new AppError('VALIDATION_ERROR', `The payment provider refused the request: ${err.message}`);
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

/** Checks currency and minimum with the provider, then creates the payment and the deposit in one idempotent unit. */
export async function createDeposit(d: PaymentsDeps, userId: string, input: CreateDepositRequest, key: string | null): Promise<IdempotentResult<Deposit>> {
  const { platform, provider } = d;
  if (decimalPlaces(input.amountUsd) > 2)
    throw new AppError('VALIDATION_ERROR', 'amountUsd has at most 2 decimals', [{ path: ['body', 'amountUsd'], message: 'at most 2 decimals' }]);
  if (new D(input.amountUsd).gt(MAX_DEPOSIT_USD)) throw new AppError('LIMIT_EXCEEDED', `A single deposit is at most ${MAX_DEPOSIT_USD} USD`);
  const limit = await platform.rateLimiter.check({ name: 'deposits:user', limit: 30, windowMs: 3_600_000 }, userId);
  if (!limit.allowed) throw new AppError('RATE_LIMITED', 'Too many deposits requested; try again later', undefined, limit.retryAfterSeconds);

  return runIdempotent(platform.database.db, { userId, scope: 'deposit', key, body: input }, async (tx) => {
    try {
      if (!(await supportedCurrencies(provider)).has(input.payCurrency)) {
        throw new AppError('VALIDATION_ERROR', `${input.payCurrency} is not accepted for deposits`, [
          { path: ['body', 'payCurrency'], message: 'not supported' },
        ]);
      }
      const min = await provider.minAmount(input.payCurrency);
      const belowMin = min.fiatEquivalentUsd
        ? new D(input.amountUsd).lt(min.fiatEquivalentUsd)
        : new D(await provider.estimate(input.amountUsd, input.payCurrency)).lt(min.minAmount);
      if (belowMin) {
        const usd = min.fiatEquivalentUsd ? ` (about ${fixed(min.fiatEquivalentUsd, 2, D.ROUND_UP)} USD)` : '';
        throw new AppError('MIN_AMOUNT', `The minimum payment in ${input.payCurrency} is ${min.minAmount}${usd}`, {
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
        payAmount: p.payAmount,
        payAddress: p.payAddress,
        actuallyPaid: p.actuallyPaid,
        expiresAt: p.expiresAt,
      });
      await repo.recordStatus(tx, id, p.status, 'create');
      return { status: 201, body: depositView(row) };
    } catch (err) {
      throw err instanceof AppError ? err : providerFailure(err);
    }
  });
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
  /** What the provider says the payment was for; a mismatch sends the deposit to review instead of crediting. */
  priceAmount?: string | null;
  payCurrency?: string | null;
}

export type ApplyOutcome = 'processed' | 'duplicate' | 'stale' | 'review' | 'unknown_payment';

/**
 * News about money that arrives after a deposit was closed, which the forward-only rule would otherwise drop: paid
 * after we expired it (or after it failed), refunded after it was credited. An operator decides (the admin deposit
 * review queue); nothing is credited or debited automatically. null for any other late status (ignored as before).
 */
function lateFinalReason(dep: DepositRow, u: StatusUpdate): string | null {
  const usd = `${fixed(dep.amountUsd, 2)} USD`;
  if ((dep.status === 'expired' || dep.status === 'failed') && (u.status === 'finished' || u.status === 'partially_paid')) {
    const paid = u.actuallyPaid ? ` (${u.actuallyPaid} ${u.payCurrency ?? dep.payCurrency} paid)` : '';
    return `${u.status} after the deposit was ${dep.status}${paid}: nothing was credited; credit up to ${usd} if the payment arrived`;
  }
  if (u.status === 'refunded' && dep.creditedAt) {
    return `refunded after ${fixed(dep.creditedUsd ?? dep.amountUsd, 2)} USD was credited: the credit stands until an operator decides`;
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
    const dep = await repo.lockDepositByPaymentId(tx, d.provider.name, u.paymentId);
    if (!dep) return { outcome: 'unknown_payment' as const };
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
    const mismatch =
      (u.priceAmount && !new D(u.priceAmount).eq(dep.amountUsd) && `price_amount ${u.priceAmount} differs from ${fixed(dep.amountUsd, 2)}`) ||
      (u.payCurrency && u.payCurrency.toLowerCase() !== dep.payCurrency && `pay_currency ${u.payCurrency} differs from ${dep.payCurrency}`) ||
      null;
    if (u.status === 'finished' && !dep.creditedAt && !mismatch) {
      const posted = await credit(tx, {
        userId: dep.userId,
        asset: QUOTE_ASSET,
        amount: dep.amountUsd,
        reference: `deposit:${dep.id}`,
        memo: { provider: dep.provider, paymentId: dep.providerPaymentId },
      });
      balances = posted.balances;
      set.creditedUsd = dep.amountUsd;
      set.creditedAt = new Date();
    } else if (u.status === 'finished' && mismatch) {
      set.review = 'pending';
      set.reviewReason = `finished but ${mismatch}`;
    } else if (u.status === 'partially_paid') {
      set.review = 'pending';
      set.reviewReason = `partially paid: ${u.actuallyPaid ?? '?'} of ${dep.payAmount ?? '?'} ${dep.payCurrency}`;
    }
    const updated = await repo.updateDeposit(tx, dep.id, set);
    return { outcome: 'processed' as const, deposit: updated };
  });
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
  const usd = `${fixed(dep.amountUsd, 2)} USD`;
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
  const usd = `${fixed(dep.amountUsd, 2)} USD`;
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
