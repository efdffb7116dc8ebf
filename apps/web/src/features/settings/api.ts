import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import type { ApiClient } from '../../lib/apiClient.ts';

/** The profile, password and 2FA calls; the sensitive ones answer STEP_UP_REQUIRED, which the client turns into the StepUpDialog. */
export function settingsApi(api: ApiClient) {
  return {
    updateProfile: (body: RouteBody<typeof apiRoutes.auth.updateMe>) => api.call(apiRoutes.auth.updateMe, { body }),
    changePassword: (body: RouteBody<typeof apiRoutes.auth.changePassword>) => api.call(apiRoutes.auth.changePassword, { body }),
    twoFactorSetup: () => api.call(apiRoutes.auth.twoFactorSetup),
    twoFactorEnable: (body: RouteBody<typeof apiRoutes.auth.twoFactorEnable>) => api.call(apiRoutes.auth.twoFactorEnable, { body }),
    twoFactorDisable: () => api.call(apiRoutes.auth.twoFactorDisable),
  };
}
