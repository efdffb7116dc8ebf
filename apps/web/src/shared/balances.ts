import { apiRoutes, type BalancesResponse } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from './services.ts';
import { useFallbackInterval } from './market.ts';
import { qk } from './queryKeys.ts';

export function useBalances(enabled = true) {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({ queryKey: qk.balances, queryFn: () => api.call(apiRoutes.wallet.balances), enabled, refetchInterval });
}

export function availableOf(b: BalancesResponse | undefined, asset: string): string {
  return b?.items.find((i) => i.asset === asset)?.available ?? '0';
}
