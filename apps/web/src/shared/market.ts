import { apiRoutes, type PricesPayload } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { useApi, useServices } from './services.ts';
import { setAssetPrecision } from '../lib/money.ts';
import type { SocketStatus } from '../lib/socket.ts';
import { qk } from './queryKeys.ts';

export interface PriceStore {
  /** A `prices` socket event: { prices: { assetId: priceUsd } }. */
  apply(payload: PricesPayload): void;
  get(id: string): string | undefined;
  /** Bumped on every batch that changed a price. */
  version(): number;
  subscribe(l: () => void): () => void;
}

/** Last prices pushed over the socket (`prices` events), newer than the REST snapshot they overlay; one per app (Services.prices). */
export function createPriceStore(): PriceStore {
  const live = new Map<string, string>();
  const listeners = new Set<() => void>();
  let version = 0;
  return {
    apply({ prices }: PricesPayload): void {
      let changed = false;
      for (const [id, p] of Object.entries(prices)) {
        if (live.get(id) !== p) {
          live.set(id, p);
          changed = true;
        }
      }
      if (!changed) return;
      version++;
      for (const l of listeners) l();
    },
    get: (id) => live.get(id),
    version: () => version,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

/** Re-renders only when this asset's live price changes. */
export function useLivePrice(assetId: string | undefined): string | undefined {
  const { prices } = useServices();
  return useSyncExternalStore(prices.subscribe, () => (assetId ? prices.get(assetId) : undefined));
}

/** Re-renders on every batch; for tables that show many prices. */
export function useLivePriceVersion(): number {
  const { prices } = useServices();
  return useSyncExternalStore(prices.subscribe, prices.version);
}

/** Asks the server for live prices of these assets while the component is mounted. */
export function useAssetSubscription(assetIds: string[]): void {
  const { realtime } = useServices();
  const key = assetIds.join(',');
  useEffect(() => {
    if (!key) return;
    return realtime.subscribe(key.split(','));
  }, [realtime, key]);
}

export function useSocketStatus(): SocketStatus {
  const { realtime } = useServices();
  return useSyncExternalStore(realtime.onStatus, realtime.status);
}

/** Polls only when the socket is down: live events keep the data fresh otherwise. */
export function useFallbackInterval(ms = 10_000): number | false {
  return useSocketStatus() === 'connected' ? false : ms;
}

export function useAssets() {
  const api = useApi();
  return useQuery({
    queryKey: qk.assets,
    queryFn: () => api.call(apiRoutes.markets.assets),
    // 24 h change, market cap and volume are not in the socket ticks.
    refetchInterval: 30_000,
  });
}

export function useTradingPairs() {
  const api = useApi();
  return useQuery({
    queryKey: qk.pairs,
    queryFn: async () => {
      const r = await api.call(apiRoutes.markets.tradingPairs);
      for (const p of r.items) setAssetPrecision(p.base, p.amountPrecision);
      return r.items;
    },
    staleTime: 60 * 60_000,
  });
}
