import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';

/** The signed-in user's support requests and the public contact form (apiRoutes.support). */
export function supportApi(api: ApiClient) {
  return {
    contact: (body: RouteBody<typeof apiRoutes.support.contact>) => api.call(apiRoutes.support.contact, { body }),
    create: (body: RouteBody<typeof apiRoutes.support.create>) => api.call(apiRoutes.support.create, { body }),
    reply: (id: string, body: RouteBody<typeof apiRoutes.support.reply>) => api.call(apiRoutes.support.reply, { params: { id }, body }),
    close: (id: string) => api.call(apiRoutes.support.close, { params: { id } }),
    upload: (data: string) => api.call(apiRoutes.support.upload, { body: { data } }),
    attachmentLink: (id: string, attachmentId: string) => api.call(apiRoutes.support.attachment, { params: { id, attachmentId } }),
  };
}

export const useTickets = () => {
  const api = useApi();
  return useQuery({ queryKey: [...qk.support, 'list'], queryFn: () => api.call(apiRoutes.support.tickets, { query: { limit: 50 } }), refetchInterval: 30_000 });
};

/** The thread, refreshed every 15 s while open so an operator's reply shows up without a reload. */
export const useTicket = (id: string) => {
  const api = useApi();
  return useQuery({ queryKey: [...qk.support, 'ticket', id], queryFn: () => api.call(apiRoutes.support.ticket, { params: { id } }), refetchInterval: 15_000 });
};

/** A File as base64 (without the data: prefix), for POST /api/support/attachments. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });
}
