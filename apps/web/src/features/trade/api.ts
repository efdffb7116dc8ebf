import { apiRoutes, type RouteBody } from '@cryptovault/contract';
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

/** Amends an open order (cancel-and-replace on the server: the answer is the replacement order). */
export function useAmendOrder() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: RouteBody<typeof apiRoutes.orders.amend> }) => api.call(apiRoutes.orders.amend, { params: { id }, body }),
    onSettled: () => {
      for (const key of [qk.orders, qk.balances, qk.portfolio]) void qc.invalidateQueries({ queryKey: key });
    },
  });
}
