import { apiRoutes } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../shared/services.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useUnreadCount() {
  const api = useApi();
  const refetchInterval = useFallbackInterval(30_000);
  return useQuery({ queryKey: qk.unread, queryFn: () => api.call(apiRoutes.notifications.unreadCount), refetchInterval });
}

export function useNotifications(limit = 20) {
  const api = useApi();
  return useQuery({
    queryKey: [...qk.notifications, 'list', limit],
    queryFn: () => api.call(apiRoutes.notifications.list, { query: { limit } }),
  });
}

export function useMarkRead() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string | 'all') => {
      if (id === 'all') await api.call(apiRoutes.notifications.markAllRead);
      else await api.call(apiRoutes.notifications.markRead, { params: { id } });
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: qk.notifications }),
  });
}
