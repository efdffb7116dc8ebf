import { apiRoutes, type GainsMethod, type portfolioRange } from '@cryptovault/contract';
import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function usePortfolio() {
  const api = useApi();
  return useQuery({ queryKey: qk.portfolio, queryFn: () => api.call(apiRoutes.portfolio.get), refetchInterval: 30_000 });
}

export function usePortfolioHistory(range: z.infer<typeof portfolioRange>) {
  const api = useApi();
  return useQuery({
    queryKey: qk.portfolioHistory(range),
    queryFn: () => api.call(apiRoutes.portfolio.history, { query: { range } }),
    staleTime: 60_000,
  });
}

/** Realised and unrealised P&L per asset, by the user's cost-basis method. */
export function useGainsPnl() {
  const api = useApi();
  return useQuery({ queryKey: qk.gains, queryFn: () => api.call(apiRoutes.gains.pnl), refetchInterval: 60_000 });
}

export function useGainsSettings() {
  const api = useApi();
  return useQuery({ queryKey: qk.gainsSettings, queryFn: () => api.call(apiRoutes.gains.settings) });
}

export function useSetGainsMethod() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (method: GainsMethod) => api.call(apiRoutes.gains.setSettings, { body: { method } }),
    onSuccess: (s) => {
      client.setQueryData(qk.gainsSettings, s);
      void client.invalidateQueries({ queryKey: qk.gains });
    },
  });
}

/** The yearly report as CSV or PDF (a raw response: the body is streamed, not parsed). */
export function downloadTaxReport(api: ApiClient, year: number, format: 'csv' | 'pdf', method: GainsMethod): Promise<Response> {
  const r = apiRoutes.gains.report;
  return api.raw(r.method, r.path, { query: { year, format, method }, headers: { accept: format === 'csv' ? 'text/csv' : 'application/pdf' } });
}
