import { apiRoutes, type RouteQuery } from '@cryptovault/contract';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';

export type TransactionFilters = Omit<NonNullable<RouteQuery<typeof apiRoutes.transactions.list>>, 'limit' | 'cursor'>;

/** The history, 50 rows a page, newest first. */
export function useTransactions(filters: TransactionFilters) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [...qk.transactions, filters],
    queryFn: ({ pageParam }) => api.call(apiRoutes.transactions.list, { query: { ...filters, limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The CSV or JSON download, with the list's filters (a raw response: the body is streamed, not parsed). */
export function exportTransactions(api: ApiClient, format: 'csv' | 'json', filters: TransactionFilters): Promise<Response> {
  const r = apiRoutes.transactions.export;
  return api.raw(r.method, r.path, {
    query: { format, ...filters },
    headers: { accept: format === 'csv' ? 'text/csv' : 'application/json' },
  });
}
