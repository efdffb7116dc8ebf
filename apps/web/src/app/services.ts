import { QueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { type ApiClient, createApiClient, type StepUpRequiredDetails } from '../lib/apiClient.ts';
import { ApiError } from '../lib/errors.ts';
import { browserVisibility, createHealthMonitor, type HealthMonitor } from '../lib/healthCheck.ts';
import type { WebConfig } from '../lib/runtimeConfig.ts';
import { createRealtime, type Realtime } from '../lib/socket.ts';

export interface Services {
  config: WebConfig;
  api: ApiClient;
  realtime: Realtime;
  health: HealthMonitor;
  queryClient: QueryClient;
  /** The auth provider registers what to do when a refresh fails (forget the user). */
  sessionExpired: { handler: () => void };
  /** StepUpDialog registers how to ask the user to confirm (resolves true once the session stepped up). */
  stepUp: { handler: (details: StepUpRequiredDetails) => Promise<boolean> };
}

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
        const r = await api.post<{ token: string }>('/api/auth/socket-token');
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
  return { config, api, realtime, health, queryClient, sessionExpired, stepUp };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('ServicesContext missing');
  return s;
}

export const useApi = (): ApiClient => useServices().api;
