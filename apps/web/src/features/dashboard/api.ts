import type { Portfolio } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function usePortfolio() {
  const api = useApi();
  return useQuery({ queryKey: qk.portfolio, queryFn: () => api.get<Portfolio>('/api/portfolio'), refetchInterval: 30_000 });
}

export function usePortfolioHistory(range: string) {
  const api = useApi();
  return useQuery({
    queryKey: qk.portfolioHistory(range),
    queryFn: () => api.get<{ items: { time: string; valueUsd: string }[] }>('/api/portfolio/history', { range }),
    staleTime: 60_000,
  });
}
