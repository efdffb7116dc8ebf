import type { BalanceItem, BalancesResponse } from '@cryptovault/contract';
import { QUOTE_ASSET } from '../../platform/assets.ts';
import type { Executor } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceReader } from '../../platform/prices.ts';
import type { Cache } from '../../platform/cache.ts';
import { MONEY, VersionedCache } from '../../platform/versioned-cache.ts';
import { type BalanceRow, userBalances } from './ledger.repo.ts';
import type { UserBalance } from './ledger.types.ts';
import { D, type Dec, ZERO } from './money.ts';

/** USD value of `amount` of `asset` at the current price; null when no price is known. */
export function usdPrice(prices: PriceReader, asset: string): Dec | null {
  if (asset === QUOTE_ASSET) return new D(1);
  const q = prices.get(asset);
  return q ? new D(q.priceUsd) : null;
}

export function balanceItem(prices: PriceReader, b: { asset: string; available: string; locked: string }): BalanceItem {
  const total = new D(b.available).plus(b.locked);
  const price = usdPrice(prices, b.asset);
  return {
    asset: b.asset,
    available: new D(b.available).toFixed(),
    locked: new D(b.locked).toFixed(),
    total: total.toFixed(),
    valueUsd: price ? total.times(price).toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2) : null,
  };
}

/** A user's balance rows: from the database, or (`createBalanceReader`) from this machine's cache of them. */
/** `version`: the user's `money` version when the request already read it (VersionedCache.read's `known`). */
export type BalanceRowsReader = (executor: Executor, userId: string, version?: string | null) => Promise<readonly BalanceRow[]>;

/**
 * Balance rows kept per user under the user's `money` version, which every ledger posting changes after its commit
 * (platform/db/commits.ts): a read after a posting, on any machine, reads the database again.
 */
export function createBalanceReader(cache: Cache): BalanceRowsReader {
  const kept = new VersionedCache<readonly BalanceRow[]>(cache, MONEY, { maxEntries: 20_000, ttlMs: 30_000 });
  return (executor, userId, version) => kept.read(userId, userId, () => userBalances(executor, userId), version);
}

/** GET /api/wallet/balances. USD is always listed, even before the first deposit. */
export async function getBalances(executor: Executor, prices: PriceReader, userId: string, read: BalanceRowsReader = userBalances): Promise<BalancesResponse> {
  const rows = [...(await read(executor, userId))];
  if (!rows.some((r) => r.asset === QUOTE_ASSET)) rows.unshift({ asset: QUOTE_ASSET, available: '0', locked: '0' });
  const items = rows.map((r) => balanceItem(prices, r));
  const totalUsd = items.reduce((s, i) => (i.valueUsd ? s.plus(i.valueUsd) : s), ZERO);
  return { items, totalUsd: totalUsd.toFixed(2) };
}

/**
 * After commit: tells the user's browsers which balances changed. Callers pass the balances the
 * ledger returned from `post` (the values written in that transaction).
 */
export function emitBalanceChanges(platform: Pick<Platform, 'realtime' | 'prices'>, balances: UserBalance[]): void {
  const byUser = new Map<string, Map<string, UserBalance>>();
  for (const b of balances) {
    const m = byUser.get(b.userId) ?? new Map<string, UserBalance>();
    m.set(b.asset, b); // the last posting of a transaction holds the final value
    byUser.set(b.userId, m);
  }
  for (const [userId, m] of byUser) {
    const items = [...m.values()].map((b) => balanceItem(platform.prices, b));
    platform.realtime.toUser(userId, 'balance:update', { items });
  }
}
