import type { z } from 'zod';
import {
  type adminDepositQueueItem,
  type adminUser,
  type adminUserDetail,
  type adminWithdrawalQueueItem,
  apiRoutes,
  type auditEntry,
  type platformStats,
  type RouteBody,
} from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useToast } from '../../ui/Toasts.tsx';

export type AdminUser = z.infer<typeof adminUser>;
export type AdminUserDetail = z.infer<typeof adminUserDetail>;
export type AdminWithdrawal = z.infer<typeof adminWithdrawalQueueItem>;
export type AdminDeposit = z.infer<typeof adminDepositQueueItem>;
export type AuditEntry = z.infer<typeof auditEntry>;
export type PlatformStats = z.infer<typeof platformStats>;
/** The admin calls (the API's admin module owns the routes; every one needs role admin and 2FA). */
export function adminApi(api: ApiClient) {
  return {
    suspendUser: (id: string, body: RouteBody<typeof apiRoutes.admin.suspendUser>) => api.call(apiRoutes.admin.suspendUser, { params: { id }, body }),
    unsuspendUser: (id: string) => api.call(apiRoutes.admin.unsuspendUser, { params: { id } }),
    forceLogout: (id: string) => api.call(apiRoutes.admin.forceLogout, { params: { id } }),
    approveWithdrawal: (id: string) => api.call(apiRoutes.admin.approveWithdrawal, { params: { id } }),
    rejectWithdrawal: (id: string, body: RouteBody<typeof apiRoutes.admin.rejectWithdrawal>) =>
      api.call(apiRoutes.admin.rejectWithdrawal, { params: { id }, body }),
    completeWithdrawal: (id: string, body: RouteBody<typeof apiRoutes.admin.completeWithdrawal>) =>
      api.call(apiRoutes.admin.completeWithdrawal, { params: { id }, body }),
    resolveDeposit: (id: string, body: RouteBody<typeof apiRoutes.admin.resolveDeposit>) => api.call(apiRoutes.admin.resolveDeposit, { params: { id }, body }),
    announce: (body: RouteBody<typeof apiRoutes.admin.announce>) => api.call(apiRoutes.admin.announce, { body }),
  };
}
export type AdminApi = ReturnType<typeof adminApi>;

/** One admin screen's data under the admin key (dropped on logout with the rest). */
function useAdminQuery<T>(key: readonly unknown[], fetch: (api: ApiClient) => Promise<T>, refetchInterval?: number) {
  const api = useApi();
  return useQuery({ queryKey: [...qk.admin, ...key], queryFn: () => fetch(api), refetchInterval });
}

export const useStats = () => useAdminQuery(['stats'], (api) => api.call(apiRoutes.admin.stats), 30_000);
export const useUsers = (q: string) => useAdminQuery(['users', q], (api) => api.call(apiRoutes.admin.users, { query: { q: q || undefined, limit: 50 } }));
export const useAdminUser = (id: string) => useAdminQuery(['user', id], (api) => api.call(apiRoutes.admin.user, { params: { id } }));
export const useWithdrawalQueue = (status: AdminWithdrawal['status']) =>
  useAdminQuery(['withdrawals', status], (api) => api.call(apiRoutes.admin.withdrawals, { query: { status, limit: 50 } }), 15_000);
export const useDepositReview = () => useAdminQuery(['deposits'], (api) => api.call(apiRoutes.admin.deposits, { query: { review: 'pending', limit: 50 } }));
export const useStatsSeries = (days: number) =>
  useAdminQuery(['stats-series', days], (api) => api.call(apiRoutes.admin.statsSeries, { query: { days } }), 60_000);
export const useReconciliation = () => useAdminQuery(['reconciliation'], (api) => api.call(apiRoutes.admin.reconciliation));
export const useAudit = () => useAdminQuery(['audit'], (api) => api.call(apiRoutes.admin.audit, { query: { limit: 100 } }));

/** An admin action (`act.mutate((admin) => admin.forceLogout(id))`) that refreshes the admin screens and says how it went. */
export function useAdminAction(success: string) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (run: (admin: AdminApi) => Promise<unknown>) => run(adminApi(api)),
    onSuccess: () => {
      toast.show('success', success);
      void qc.invalidateQueries({ queryKey: qk.admin });
    },
    onError: (e) => toast.show('error', 'Action failed', describeError(e)),
  });
}
