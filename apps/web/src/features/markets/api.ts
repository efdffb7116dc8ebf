import { apiRoutes, type CandleInterval, type HistoryInterval } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useAsset(id: string) {
  const api = useApi();
  return useQuery({ queryKey: qk.asset(id), queryFn: () => api.call(apiRoutes.markets.asset, { params: { id } }), refetchInterval: 30_000 });
}

export function useHistory(id: string, interval: HistoryInterval, spanMs: number) {
  const api = useApi();
  return useQuery({
    queryKey: qk.history(id, `${interval}:${spanMs}`),
    queryFn: () => {
      const end = Date.now();
      return api.call(apiRoutes.markets.history, { params: { id }, query: { interval, start: end - spanMs, end } });
    },
    staleTime: 5 * 60_000,
  });
}

/** The newest `limit` candles of an asset; refreshed as the server writes them (every 10 s). */
export function useCandles(id: string, interval: CandleInterval, limit: number) {
  const api = useApi();
  return useQuery({
    queryKey: qk.candles(id, interval, limit),
    queryFn: () => api.call(apiRoutes.markets.candles, { params: { id }, query: { interval, limit } }),
    enabled: id !== '',
    refetchInterval: 15_000,
    placeholderData: (prev) => (prev?.assetId === id ? prev : undefined),
  });
}
