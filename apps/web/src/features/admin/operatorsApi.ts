import { type Adjustment, type AdjustmentStatus, apiRoutes, type OperatorAccount, type RouteBody } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export type { Adjustment, OperatorAccount };

/** Role management (superadmin) and maker-checker adjustments (finance): the calls of the console's two pages. */
export function operatorsApi(api: ApiClient) {
  return {
    setRoles: (id: string, body: RouteBody<typeof apiRoutes.operators.setRoles>) => api.call(apiRoutes.operators.setRoles, { params: { id }, body }),
    propose: (body: RouteBody<typeof apiRoutes.operators.proposeAdjustment>) => api.call(apiRoutes.operators.proposeAdjustment, { body }),
    approve: (id: string) => api.call(apiRoutes.operators.approveAdjustment, { params: { id } }),
    reject: (id: string, body: RouteBody<typeof apiRoutes.operators.rejectAdjustment>) =>
      api.call(apiRoutes.operators.rejectAdjustment, { params: { id }, body }),
  };
}
export type OperatorsApi = ReturnType<typeof operatorsApi>;

export const useOperators = (q: string) => {
  const api = useApi();
  return useQuery({ queryKey: [...qk.admin, 'operators', q], queryFn: () => api.call(apiRoutes.operators.list, { query: { q: q || undefined } }) });
};

export const useAdjustments = (status: AdjustmentStatus | 'any') => {
  const api = useApi();
  return useQuery({
    queryKey: [...qk.admin, 'adjustments', status],
    queryFn: () => api.call(apiRoutes.operators.adjustments, { query: { status, limit: 50 } }),
    refetchInterval: 15_000,
  });
};

/** A call of operatorsApi that refreshes the admin screens afterwards (errors stay with the caller's dialog). */
export function useOperatorsAction() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (run: (ops: OperatorsApi) => Promise<unknown>) => run(operatorsApi(api)),
    onSettled: () => qc.invalidateQueries({ queryKey: qk.admin }),
  });
}
