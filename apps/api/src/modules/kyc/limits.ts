import { formatMoney, type KycLimitExceededDetails, type KycLimitUsage, type KycTierLimits } from '@cryptovault/contract';
import type { Config, KycLimits } from '../../config.ts';
import type { Executor } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { D } from '../ledger/index.ts';
import * as repo from './kyc.repo.ts';
import type { Kind, Tier } from './kyc.repo.ts';

/**
 * Per-tier limits on what a user moves, in USD at the time of each movement, per UTC calendar day and month.
 * A movement is checked and recorded (`kyc_usage`) inside its own transaction, with the user's KYC profile row
 * locked, so two movements at once cannot both pass on the same remaining allowance. Cancelled, rejected or
 * expired movements give their allowance back (`releaseKycUsage`).
 */

export interface Periods {
  dayStart: Date;
  dayEnd: Date;
  monthStart: Date;
  monthEnd: Date;
}

export function periodsAt(now: Date): Periods {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  return {
    dayStart: new Date(Date.UTC(y, m, d)),
    dayEnd: new Date(Date.UTC(y, m, d + 1)),
    monthStart: new Date(Date.UTC(y, m, 1)),
    monthEnd: new Date(Date.UTC(y, m + 1, 1)),
  };
}

const KINDS: Kind[] = ['deposit', 'withdrawal', 'transfer'];
const NOUN: Record<Kind, string> = { deposit: 'deposit', withdrawal: 'withdrawal', transfer: 'transfer' };
const usd = (v: string | { toFixed(): string }) => formatMoney(v, 'USD');
const cents = (v: InstanceType<typeof D>) => v.toDecimalPlaces(2, D.ROUND_DOWN).toFixed(2);

export function tierLimits(limits: KycLimits, tier: Tier): KycTierLimits {
  return { tier, limits: KINDS.map((kind) => ({ kind, dailyUsd: limits[tier][kind].daily, monthlyUsd: limits[tier][kind].monthly })) };
}

/** The user's tier and, for each kind, its limits and what is used in the current day and month. */
export async function limitsWithUsage(ex: Executor, config: Config, userId: string, now = new Date()): Promise<{ tier: Tier; limits: KycLimitUsage[] }> {
  const tier = await repo.tierOf(ex, userId);
  const used = await repo.usage(ex, userId, periodsAt(now));
  const allowance = (limit: string, u: string) => ({
    limitUsd: new D(limit).toFixed(2),
    usedUsd: cents(new D(u)),
    remainingUsd: cents(D.max(new D(limit).minus(u), 0)),
  });
  return {
    tier,
    limits: KINDS.map((kind) => {
      const l = config.kyc.limits[tier][kind];
      const u = used.get(kind) ?? { day: '0', month: '0' };
      return { kind, daily: allowance(l.daily, u.day), monthly: allowance(l.monthly, u.month) };
    }),
  };
}

export interface LimitInput {
  userId: string;
  kind: Kind;
  /** USD value of the movement at its time (decimal string or Decimal). */
  amountUsd: string | { toFixed(): string };
  /** Tests only: the time of the movement (the limits' day and month). */
  now?: Date;
}

/**
 * Refuses with LIMIT_EXCEEDED when the movement would take the user past their tier's daily or monthly limit for
 * its kind, naming the tier that raises it and how much remains. Locks the user's profile row until the caller's
 * transaction ends. Does not record anything (`recordKycUsage` does); `reserveKycLimit` does both.
 */
export async function checkKycLimit(tx: Executor, config: Config, input: LimitInput): Promise<void> {
  const tier = await repo.lockProfile(tx, input.userId);
  if (!config.kyc.enforced) return;
  const now = input.now ?? new Date();
  const used = (await repo.usage(tx, input.userId, periodsAt(now))).get(input.kind) ?? { day: '0', month: '0' };
  const amount = new D(input.amountUsd.toString());
  const limits = config.kyc.limits;
  for (const period of ['daily', 'monthly'] as const) {
    const limit = new D(limits[tier][input.kind][period]);
    const spent = new D(period === 'daily' ? used.day : used.month);
    if (spent.plus(amount).lte(limit)) continue;
    const remaining = D.max(limit.minus(spent), 0);
    const next = tier < 2 ? ((tier + 1) as Tier) : null;
    const nextLimit = next === null ? null : limits[next][input.kind][period];
    const details: KycLimitExceededDetails = {
      tier,
      kind: input.kind,
      period,
      limitUsd: limit.toFixed(2),
      usedUsd: cents(spent),
      remainingUsd: cents(remaining),
      amountUsd: new D(amount).toFixed(2),
      nextTier: next,
      nextTierLimitUsd: nextLimit === null ? null : new D(nextLimit).toFixed(2),
    };
    const when = period === 'daily' ? 'today' : 'this month';
    const per = period === 'daily' ? 'a day' : 'a month';
    const raise =
      next === null
        ? 'This is the highest verification tier; contact support if you need more.'
        : `Verification tier ${next} raises it to ${usd(nextLimit as string)} ${per}: verify ${next === 1 ? 'your details' : 'your identity document'} on the Verification page.`;
    throw new AppError(
      'LIMIT_EXCEEDED',
      `This ${NOUN[input.kind]} (about ${usd(amount)}) is over your verification tier ${tier} limit of ${usd(limit)} ${per} for ${NOUN[input.kind]}s; ${usd(cents(remaining))} is left ${when} (UTC). ${raise}`,
      details,
    );
  }
}

export async function recordKycUsage(tx: Executor, input: LimitInput & { reference: string }): Promise<void> {
  await repo.insertUsage(tx, {
    userId: input.userId,
    kind: input.kind,
    amountUsd: new D(input.amountUsd.toString()).toFixed(),
    reference: input.reference,
    at: input.now ?? new Date(),
  });
}

/** Check and record in one step (the usual case: the movement's reference is known). */
export async function reserveKycLimit(tx: Executor, config: Config, input: LimitInput & { reference: string }): Promise<void> {
  await checkKycLimit(tx, config, input);
  await recordKycUsage(tx, input);
}

/** Gives a movement's allowance back (cancelled, rejected, expired). Unknown references are ignored. */
export async function releaseKycUsage(tx: Executor, reference: string): Promise<void> {
  await repo.deleteUsage(tx, reference);
}
