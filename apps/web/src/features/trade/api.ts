import { apiRoutes } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../shared/services.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useOrders(status: 'open' | 'closed' | 'all', symbol?: string) {
  const api = useApi();
  const refetchInterval = useFallbackInterval();
  return useQuery({
    queryKey: [...qk.orders, status, symbol ?? ''],
    queryFn: () => api.call(apiRoutes.orders.list, { query: { status, symbol, limit: 50 } }),
    refetchInterval,
  });
}

export function useCancelOrder() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call(apiRoutes.orders.cancel, { params: { id } }),
    onSettled: () => {
      for (const key of [qk.orders, qk.balances, qk.portfolio]) void qc.invalidateQueries({ queryKey: key });
    },
  });
}
