import { apiRoutes, type RouteBody, type WithdrawalAddress } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useAddressBook() {
  const api = useApi();
  return useQuery({ queryKey: qk.addressBook, queryFn: () => api.call(apiRoutes.security.addressBook) });
}

export const sessionsQuery = (api: ApiClient) => ({ queryKey: qk.sessions, queryFn: () => api.call(apiRoutes.auth.sessions) });
export const passkeysQuery = (api: ApiClient) => ({ queryKey: qk.passkeys, queryFn: () => api.call(apiRoutes.auth.passkeys) });
export const backupCodesQuery = (api: ApiClient) => ({ queryKey: qk.backupCodes, queryFn: () => api.call(apiRoutes.auth.backupCodes) });
export const securityEventsQuery = (api: ApiClient) => ({
  queryKey: qk.securityEvents,
  queryFn: () => api.call(apiRoutes.auth.securityEvents, { query: { limit: 30 } }),
});

export const useSessions = () => useQuery(sessionsQuery(useApi()));
export const usePasskeys = () => useQuery(passkeysQuery(useApi()));
export const useBackupCodes = () => useQuery(backupCodesQuery(useApi()));
export const useSecurityEvents = () => useQuery(securityEventsQuery(useApi()));

export function useApiKeys() {
  const api = useApi();
  return useQuery({ queryKey: qk.apiKeys, queryFn: () => api.call(apiRoutes.apiKeys.list) });
}

export function useAntiPhishing() {
  const api = useApi();
  return useQuery({ queryKey: qk.antiPhishing, queryFn: () => api.call(apiRoutes.security.antiPhishing) });
}

/** Calls of the account-security API; sensitive ones answer 403 STEP_UP_REQUIRED, which the client turns into the StepUpDialog. */
export function securityApi(api: ApiClient) {
  return {
    addAddress: (body: RouteBody<typeof apiRoutes.security.addAddress>) => api.call(apiRoutes.security.addAddress, { body }),
    removeAddress: (id: string) => api.call(apiRoutes.security.removeAddress, { params: { id } }),
    setBookOnly: (enabled: boolean) => api.call(apiRoutes.security.setAddressBookOnly, { body: { enabled } }),
    confirmAddress: (token: string) => api.call(apiRoutes.security.confirmAddress, { body: { token } }),
    setAntiPhishing: (code: string | null) => api.call(apiRoutes.security.setAntiPhishing, { body: { code } }),
    freeze: (token: string) => api.call(apiRoutes.security.freeze, { body: { token } }),
    requestUnfreeze: () => api.call(apiRoutes.security.requestUnfreeze),
    unfreeze: (body: RouteBody<typeof apiRoutes.security.unfreeze>) => api.call(apiRoutes.security.unfreeze, { body }),
    revokeSession: (id: string) => api.call(apiRoutes.auth.revokeSession, { params: { id } }),
    logoutOthers: () => api.call(apiRoutes.auth.logoutOthers),
    passkeyRegistrationOptions: () => api.call(apiRoutes.auth.passkeyRegistrationOptions),
    registerPasskey: (body: RouteBody<typeof apiRoutes.auth.registerPasskey>) => api.call(apiRoutes.auth.registerPasskey, { body }),
    removePasskey: (id: string) => api.call(apiRoutes.auth.removePasskey, { params: { id } }),
    regenerateBackupCodes: () => api.call(apiRoutes.auth.regenerateBackupCodes),
    createApiKey: (body: RouteBody<typeof apiRoutes.apiKeys.create>) => api.call(apiRoutes.apiKeys.create, { body }),
    revokeApiKey: (id: string) => api.call(apiRoutes.apiKeys.revoke, { params: { id } }),
  };
}

export const when = (iso: string) => new Date(iso).toLocaleString();

/** "Active", "Waiting for email confirmation", "Usable from <time>". */
export function addressState(a: WithdrawalAddress): string {
  if (a.usable) return 'Active';
  if (a.status === 'pending_confirmation') return `Confirm the link we emailed you · usable from ${when(a.usableAt)} at the earliest`;
  return `Confirmed · usable from ${when(a.usableAt)}`;
}
