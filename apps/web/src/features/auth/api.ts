import type { AuthResponse, SetupBeginResponse, SetupCompleteResponse } from '@cryptovault/contract';
import type { ApiClient } from '../../lib/apiClient.ts';

export const authApi = (api: ApiClient) => ({
  signup: (b: { email: string; password: string; name: string }) => api.post('/api/auth/signup', b),
  verify: (b: { email: string; code: string }) => api.post<AuthResponse>('/api/auth/verify-email', b),
  resend: (email: string) => api.post('/api/auth/resend-verification', { email }),
  login: (b: { email: string; password: string; totpCode?: string | undefined; passkey?: unknown }) => api.post<AuthResponse>('/api/auth/login', b),
  forgot: (email: string) => api.post('/api/auth/forgot-password', { email }),
  reset: (b: { token: string; newPassword: string }) => api.post('/api/auth/reset-password', b),
  // The first administrator (the setup link an embedded start prints). A 401 here is a wrong code, not a session.
  setupBegin: (token: string) => api.post<SetupBeginResponse>('/api/setup/begin', { token }, { skipRefresh: true }),
  setupComplete: (b: { token: string; email: string; name: string; password: string; totpCode: string }) =>
    api.post<SetupCompleteResponse>('/api/setup/complete', b, { skipRefresh: true }),
});

/** Only same-site paths are followed after login (no open redirect through ?next=). */
export function safeNext(next: string | null, fallback = '/dashboard'): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : fallback;
}
