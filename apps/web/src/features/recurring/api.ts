import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';

const r = apiRoutes.recurringBuys;

export function useRecurringBuys() {
  const api = useApi();
  return useQuery({ queryKey: qk.recurringBuys, queryFn: () => api.call(r.list) });
}

export function useRecurringRuns(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: [...qk.recurringBuys, id ?? '', 'runs'],
    queryFn: () => api.call(r.runs, { params: { id: id! }, query: { limit: 50 } }),
    enabled: id !== null,
  });
}

export type RecurringBuyBody = RouteBody<typeof r.create>;

export function recurringApi(api: ApiClient) {
  return {
    create: (body: RecurringBuyBody) => api.call(r.create, { body }),
    update: (id: string, body: RecurringBuyBody) => api.call(r.update, { params: { id }, body }),
    pause: (id: string) => api.call(r.pause, { params: { id } }),
    resume: (id: string) => api.call(r.resume, { params: { id } }),
    remove: (id: string) => api.call(r.remove, { params: { id } }),
  };
}
