import { apiRoutes, type NotificationPreference, type RouteResponse } from '@cryptovault/contract';
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

type PreferencesData = RouteResponse<typeof apiRoutes.notifications.preferences>;

export function useNotificationPreferences() {
  const api = useApi();
  return useQuery({ queryKey: [...qk.notifications, 'preferences'], queryFn: () => api.call(apiRoutes.notifications.preferences) });
}

export function useSetNotificationPreferences() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (items: NotificationPreference[]) => api.call(apiRoutes.notifications.setPreferences, { body: { items } }),
    // The box shows the choice at once; the server's answer (or a refetch after an error) settles it.
    onMutate: (items) => {
      const key = [...qk.notifications, 'preferences'];
      const current = qc.getQueryData<PreferencesData>(key);
      if (current) {
        const changed = new Map(items.map((i) => [i.type, i]));
        qc.setQueryData<PreferencesData>(key, { items: current.items.map((p) => ({ ...p, ...changed.get(p.type) })) });
      }
    },
    onSuccess: (data) => qc.setQueryData([...qk.notifications, 'preferences'], data),
    onError: () => void qc.invalidateQueries({ queryKey: [...qk.notifications, 'preferences'] }),
  });
}
