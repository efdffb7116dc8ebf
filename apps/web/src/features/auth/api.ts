import type { AuthResponse } from '@cryptovault/contract';
import type { ApiClient } from '../../lib/apiClient.ts';

export const authApi = (api: ApiClient) => ({
  signup: (b: { email: string; password: string; name: string }) => api.post('/api/auth/signup', b),
  verify: (b: { email: string; code: string }) => api.post<AuthResponse>('/api/auth/verify-email', b),
  resend: (email: string) => api.post('/api/auth/resend-verification', { email }),
  login: (b: { email: string; password: string; totpCode?: string | undefined }) => api.post<AuthResponse>('/api/auth/login', b),
  forgot: (email: string) => api.post('/api/auth/forgot-password', { email }),
  reset: (b: { token: string; newPassword: string }) => api.post('/api/auth/reset-password', b),
});

/** Only same-site paths are followed after login (no open redirect through ?next=). */
export function safeNext(next: string | null, fallback = '/dashboard'): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : fallback;
}
