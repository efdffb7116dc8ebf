import type { Notification } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../app/services.ts';
import { useFallbackInterval } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useUnreadCount() {
  const api = useApi();
  const refetchInterval = useFallbackInterval(30_000);
  return useQuery({ queryKey: qk.unread, queryFn: () => api.get<{ count: number }>('/api/notifications/unread-count'), refetchInterval });
}

export function useNotifications(limit = 20) {
  const api = useApi();
  return useQuery({
    queryKey: [...qk.notifications, 'list', limit],
    queryFn: () => api.get<{ items: Notification[]; nextCursor: string | null }>('/api/notifications', { limit }),
  });
}

export function useMarkRead() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string | 'all') => (id === 'all' ? api.post('/api/notifications/read-all') : api.post(`/api/notifications/${id}/read`)),
    onSettled: () => void qc.invalidateQueries({ queryKey: qk.notifications }),
  });
}
