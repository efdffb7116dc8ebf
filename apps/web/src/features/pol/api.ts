import { apiRoutes } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../shared/services.ts';

export const polQuery = (api: ApiClient) => ({ queryKey: ['pol'], queryFn: () => api.call(apiRoutes.pol.publication) });
export const polHistoryQuery = (api: ApiClient) => ({ queryKey: ['pol', 'history'], queryFn: () => api.call(apiRoutes.pol.history, { query: { limit: 10 } }) });

export const usePolPublication = () => useQuery(polQuery(useApi()));
export const usePolHistory = () => useQuery(polHistoryQuery(useApi()));

/** The signed-in user's inclusion proof in the latest snapshot. */
export const fetchMyProof = (api: ApiClient) => api.call(apiRoutes.pol.myProof);
