import type { z } from 'zod';
import type { adminDeposit, adminUser, adminUserDetail, adminWithdrawal, auditEntry, platformStats, Reconciliation } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../app/services.ts';
import { describeError } from '../../lib/errors.ts';
import type { Query } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useToast } from '../../ui/Toasts.tsx';

export type AdminUser = z.infer<typeof adminUser>;
export type AdminUserDetail = z.infer<typeof adminUserDetail>;
export type AdminWithdrawal = z.infer<typeof adminWithdrawal>;
export type AdminDeposit = z.infer<typeof adminDeposit>;
export type AuditEntry = z.infer<typeof auditEntry>;
export type PlatformStats = z.infer<typeof platformStats>;
type Page<T> = { items: T[]; nextCursor: string | null };

/** Every admin path in one place (the API's admin module owns the paths). */
export const ADMIN = {
  stats: '/api/admin/stats',
  users: '/api/admin/users',
  user: (id: string) => `/api/admin/users/${id}`,
  userAction: (id: string, action: 'suspend' | 'unsuspend' | 'force-logout') => `/api/admin/users/${id}/${action}`,
  withdrawals: '/api/admin/withdrawals',
  withdrawalAction: (id: string, action: 'approve' | 'reject' | 'complete') => `/api/admin/withdrawals/${id}/${action}`,
  deposits: '/api/admin/deposits',
  resolveDeposit: (id: string) => `/api/admin/deposits/${id}/resolve`,
  reconciliation: '/api/admin/reconciliation',
  audit: '/api/admin/audit',
  announcements: '/api/admin/announcements',
};

export function useAdminQuery<T>(key: string, path: string, query?: Query, refetchInterval?: number) {
  const api = useApi();
  return useQuery({ queryKey: [...qk.admin, key, query ?? {}], queryFn: () => api.get<T>(path, query), refetchInterval });
}

export const useStats = () => useAdminQuery<PlatformStats>('stats', ADMIN.stats, undefined, 30_000);
export const useUsers = (q: string) => useAdminQuery<Page<AdminUser>>('users', ADMIN.users, { q: q || undefined, limit: 50 });
export const useWithdrawalQueue = (status: string) => useAdminQuery<Page<AdminWithdrawal>>('withdrawals', ADMIN.withdrawals, { status, limit: 50 }, 15_000);
export const useDepositReview = () => useAdminQuery<Page<AdminDeposit>>('deposits', ADMIN.deposits, { review: 'pending', limit: 50 });
export const useReconciliation = () => useAdminQuery<Reconciliation>('reconciliation', ADMIN.reconciliation);
export const useAudit = () => useAdminQuery<Page<AuditEntry>>('audit', ADMIN.audit, { limit: 100 });

/** A POST that refreshes the admin screens and says how it went. */
export function useAdminAction<V extends { path: string; body?: unknown }>(success: string) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (v: V) => api.post(v.path, v.body),
    onSuccess: () => {
      toast.show('success', success);
      void qc.invalidateQueries({ queryKey: qk.admin });
    },
    onError: (e) => toast.show('error', 'Action failed', describeError(e)),
  });
}
