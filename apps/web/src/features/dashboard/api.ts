import { apiRoutes, type portfolioRange } from '@cryptovault/contract';
import type { z } from 'zod';
import { useQuery } from '@tanstack/react-query';
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
