import type { AddressBookOnlyState, AntiPhishingState, FreezeState, WithdrawalAddress, WithdrawalAddressBook } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../app/services.ts';
import { qk } from '../../shared/queryKeys.ts';

export function useAddressBook() {
  const api = useApi();
  return useQuery({ queryKey: qk.addressBook, queryFn: () => api.get<WithdrawalAddressBook>('/api/wallet/withdrawal-addresses') });
}

export function useAntiPhishing() {
  const api = useApi();
  return useQuery({ queryKey: qk.antiPhishing, queryFn: () => api.get<AntiPhishingState>('/api/security/anti-phishing') });
}

/** Calls of the account-security API; sensitive ones answer 403 STEP_UP_REQUIRED, which the client turns into the StepUpDialog. */
export function securityApi(api: ApiClient) {
  return {
    addAddress: (body: unknown) => api.post<WithdrawalAddress>('/api/wallet/withdrawal-addresses', body),
    removeAddress: (id: string) => api.del<{ ok: true }>(`/api/wallet/withdrawal-addresses/${id}`),
    setBookOnly: (enabled: boolean) => api.put<AddressBookOnlyState>('/api/wallet/withdrawal-addresses/address-book-only', { enabled }),
    confirmAddress: (token: string) => api.post<WithdrawalAddress>('/api/wallet/withdrawal-addresses/confirm', { token }),
    setAntiPhishing: (code: string | null) => api.put<AntiPhishingState>('/api/security/anti-phishing', { code }),
    freeze: (token: string) => api.post<FreezeState>('/api/security/freeze', { token }),
    requestUnfreeze: () => api.post<{ status: 'accepted'; message: string }>('/api/security/unfreeze/request'),
    unfreeze: (body: unknown) => api.post<FreezeState>('/api/security/unfreeze', body),
  };
}

export const when = (iso: string) => new Date(iso).toLocaleString();

/** "Active", "Waiting for email confirmation", "Usable from <time>". */
export function addressState(a: WithdrawalAddress): string {
  if (a.usable) return 'Active';
  if (a.status === 'pending_confirmation') return `Confirm the link we emailed you · usable from ${when(a.usableAt)} at the earliest`;
  return `Confirmed · usable from ${when(a.usableAt)}`;
}
