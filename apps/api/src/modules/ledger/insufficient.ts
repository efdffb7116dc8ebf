import { formatMoney } from '@cryptovault/contract';
import { findAsset } from '../../platform/assets.ts';
import type { Executor } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { availableOf } from './ledger.repo.ts';
import type { JournalEntryInput } from './ledger.types.ts';
import { D, type Dec, ZERO } from './money.ts';

/** An amount in words at its asset's precision: "$1,942.47", "0.0155 BTC". */
export const moneyWords = (amount: string | { toFixed(): string }, asset: string, rounding: 'half_up' | 'up' | 'down' = 'half_up') =>
  formatMoney(amount, asset, { maxDecimals: findAsset(asset)?.amountPrecision ?? 18, rounding });

interface Shortfall {
  asset: string;
  required: string | Dec;
  available: string | Dec;
  /** Who needs it: "this order", "this withdrawal". */
  what: string;
  /** Said after the amount, in brackets: "fee included". */
  detail?: string | undefined;
}

function refusal(o: Shortfall, showAvailable: boolean): AppError {
  // What is needed rounds up and what is available down, so the two never read the same.
  const need = `Insufficient funds: ${o.what} needs ${moneyWords(o.required, o.asset, 'up')}${o.detail ? ` (${o.detail})` : ''}`;
  const required = new D(o.required).toFixed();
  return showAvailable
    ? new AppError('INSUFFICIENT_FUNDS', `${need} and ${moneyWords(o.available, o.asset, 'down')} is available`, {
        asset: o.asset,
        available: new D(o.available).toFixed(),
        required,
      })
    : new AppError('INSUFFICIENT_FUNDS', `${need}, more than is available`, { asset: o.asset, required });
}

/**
 * The one INSUFFICIENT_FUNDS a person reads: what the action needs and what is available, in the asset's own format
 * ("Insufficient funds: this order needs $1,942.47 (fee included) and $1,000.00 is available"), the figures in
 * `details`. It carries its form without the balance (`withoutBalances`), which the error handler answers to a
 * caller that may not read balances (an API key without the `read` scope).
 */
export function insufficientFunds(o: Shortfall): AppError {
  const err = refusal(o, true);
  err.withoutBalances = refusal(o, false);
  return err;
}

/**
 * Whether `entry` fits `userId`'s available balances now: null, or the refusal in words for the first asset whose
 * balance the entry takes down (its postings to that balance netted, as the ledger's CHECK sees them) below zero.
 * A read, so only a first answer: the ledger's CHECK decides when the entry is written.
 */
export async function shortfall(
  ex: Executor,
  entry: JournalEntryInput,
  userId: string,
  words: { what: string; detail?: (asset: string) => string | undefined },
): Promise<AppError | null> {
  const net = new Map<string, Dec>();
  for (const p of entry.postings) {
    if (p.account.kind !== 'user' || p.account.userId !== userId || p.bucket !== 'available') continue;
    net.set(p.account.asset, (net.get(p.account.asset) ?? ZERO).plus(p.amount));
  }
  for (const [asset, change] of net) {
    if (!change.isNegative()) continue;
    const required = change.neg();
    const available = await availableOf(ex, userId, asset);
    if (new D(available).lt(required)) return insufficientFunds({ asset, available, required, what: words.what, detail: words.detail?.(asset) });
  }
  return null;
}
