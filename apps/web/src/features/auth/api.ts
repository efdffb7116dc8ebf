import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import type { ApiClient } from '../../lib/apiClient.ts';

export const authApi = (api: ApiClient) => ({
  signup: (body: RouteBody<typeof apiRoutes.auth.signup>) => api.call(apiRoutes.auth.signup, { body }),
  verify: (body: RouteBody<typeof apiRoutes.auth.verifyEmail>) => api.call(apiRoutes.auth.verifyEmail, { body }),
  resend: (email: string) => api.call(apiRoutes.auth.resendVerification, { body: { email } }),
  login: (body: RouteBody<typeof apiRoutes.auth.login>) => api.call(apiRoutes.auth.login, { body }),
  forgot: (email: string) => api.call(apiRoutes.auth.forgotPassword, { body: { email } }),
  reset: (body: RouteBody<typeof apiRoutes.auth.resetPassword>) => api.call(apiRoutes.auth.resetPassword, { body }),
  // The first administrator (the setup link an embedded start prints). A 401 here is a wrong code, not a session.
  setupBegin: (token: string) => api.call(apiRoutes.setup.begin, { body: { token }, skipRefresh: true }),
  setupComplete: (body: RouteBody<typeof apiRoutes.setup.complete>) => api.call(apiRoutes.setup.complete, { body, skipRefresh: true }),
});

/** Only same-site paths are followed after login (no open redirect through ?next=). */
export function safeNext(next: string | null, fallback = '/dashboard'): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : fallback;
}
