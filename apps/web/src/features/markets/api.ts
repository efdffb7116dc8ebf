import { apiRoutes, type HistoryInterval } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useAsset(id: string) {
  const api = useApi();
  return useQuery({ queryKey: qk.asset(id), queryFn: () => api.call(apiRoutes.markets.asset, { params: { id } }), refetchInterval: 30_000 });
}

export const INTERVALS: { value: HistoryInterval; label: string; spanMs: number }[] = [
  { value: 'm5', label: '1D', spanMs: 86_400_000 },
  { value: 'h1', label: '1W', spanMs: 7 * 86_400_000 },
  { value: 'h6', label: '1M', spanMs: 30 * 86_400_000 },
  { value: 'd1', label: '1Y', spanMs: 365 * 86_400_000 },
];

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
