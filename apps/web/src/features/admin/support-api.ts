import { type AdminSupportThread, apiRoutes, type RouteBody, type RouteQuery } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { describeError } from '../../lib/errors.ts';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { useToast } from '../../ui/Toasts.tsx';

/** The operator side of support (apiRoutes.support queue/admin*): role support (admin until operator roles land). */
export function supportOps(api: ApiClient) {
  return {
    reply: (id: string, body: RouteBody<typeof apiRoutes.support.adminReply>) => api.call(apiRoutes.support.adminReply, { params: { id }, body }),
    note: (id: string, note: string) => api.call(apiRoutes.support.adminNote, { params: { id }, body: { note } }),
    assign: (id: string) => api.call(apiRoutes.support.assign, { params: { id } }),
    close: (id: string) => api.call(apiRoutes.support.adminClose, { params: { id } }),
    attachmentLink: (id: string, attachmentId: string) => api.call(apiRoutes.support.adminAttachment, { params: { id, attachmentId } }),
  };
}

const key = [...qk.admin, 'support'] as const;

export const useSupportQueue = (query: RouteQuery<typeof apiRoutes.support.queue>) => {
  const api = useApi();
  return useQuery({ queryKey: [...key, 'queue', query], queryFn: () => api.call(apiRoutes.support.queue, { query }), refetchInterval: 20_000 });
};

export const useSupportTicket = (id: string) => {
  const api = useApi();
  return useQuery({ queryKey: [...key, 'ticket', id], queryFn: () => api.call(apiRoutes.support.adminTicket, { params: { id } }), refetchInterval: 20_000 });
};

/** An operator action on one ticket: the answer is the new thread; the queue is refreshed and the result toasted. */
export function useSupportAction(id: string) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (run: { label: string; act: (ops: ReturnType<typeof supportOps>) => Promise<AdminSupportThread> }) => run.act(supportOps(api)),
    onSuccess: (thread, run) => {
      qc.setQueryData([...key, 'ticket', id], thread);
      void qc.invalidateQueries({ queryKey: [...key, 'queue'] });
      toast.show('success', run.label);
    },
    onError: (e) => toast.show('error', 'Action failed', describeError(e)),
  });
}
