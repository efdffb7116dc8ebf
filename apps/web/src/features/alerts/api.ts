import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';

export const alertsQuery = (api: ApiClient) => ({ queryKey: qk.alerts, queryFn: () => api.call(apiRoutes.alerts.list) });

export function useAlerts() {
  return useQuery(alertsQuery(useApi()));
}

export function alertsApi(api: ApiClient) {
  return {
    create: (body: RouteBody<typeof apiRoutes.alerts.create>) => api.call(apiRoutes.alerts.create, { body }),
    update: (id: string, body: RouteBody<typeof apiRoutes.alerts.update>) => api.call(apiRoutes.alerts.update, { params: { id }, body }),
    remove: (id: string) => api.call(apiRoutes.alerts.remove, { params: { id } }),
  };
}
