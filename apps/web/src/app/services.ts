import { apiRoutes } from '@cryptovault/contract';
import { QueryClient } from '@tanstack/react-query';
import { createApiClient } from '../lib/apiClient.ts';
import { ApiError } from '../lib/errors.ts';
import { browserVisibility, createHealthMonitor, type HealthMonitor } from '../lib/healthCheck.ts';
import type { WebConfig } from '../lib/runtimeConfig.ts';
import { createRealtime } from '../lib/socket.ts';
import { createPriceStore } from '../shared/market.ts';
import type { Services } from '../shared/services.ts';

export function createServices(config: WebConfig): Services {
  const sessionExpired = { handler: () => {} };
  const stepUp: Services['stepUp'] = { handler: async () => false };
  let health: HealthMonitor | null = null;
  const api = createApiClient({
    baseUrl: () => config.apiBaseUrl,
    onSessionExpired: () => sessionExpired.handler(),
    onNetworkError: () => void health?.checkNow(),
    onStepUpRequired: (details) => stepUp.handler(details),
  });
  health = createHealthMonitor({ ping: () => api.get('/api/ping', undefined, { skipRefresh: true }), ...browserVisibility() });
  const realtime = createRealtime({
    url: config.socketUrl,
    path: config.socketIoPath,
    pageOrigin: window.location.origin,
    getSocketToken: async () => {
      try {
        const r = await api.call(apiRoutes.auth.socketToken);
        return r.token;
      } catch {
        return null;
      }
    },
  });
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        // The api client already retried network failures with backoff; 4xx answers will not change.
        retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      },
    },
  });
  return { config, api, realtime, health, queryClient, prices: createPriceStore(), sessionExpired, stepUp };
}
