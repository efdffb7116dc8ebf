import type { QueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { ApiClient, StepUpRequiredDetails } from '../lib/apiClient.ts';
import type { HealthMonitor } from '../lib/healthCheck.ts';
import type { WebConfig } from '../lib/runtimeConfig.ts';
import type { Realtime } from '../lib/socket.ts';
import type { PriceStore } from './market.ts';

/**
 * The web app's data-layer services, built once by app/services.ts (createServices) and handed down by
 * ServicesContext: features and shared code reach them here, never by importing app/.
 */
export interface Services {
  config: WebConfig;
  api: ApiClient;
  realtime: Realtime;
  health: HealthMonitor;
  queryClient: QueryClient;
  /** Last prices pushed over the socket, newer than the REST snapshot they overlay. */
  prices: PriceStore;
  /** The auth provider registers what to do when a refresh fails (forget the user). */
  sessionExpired: { handler: () => void };
  /** StepUpDialog registers how to ask the user to confirm (resolves true once the session stepped up). */
  stepUp: { handler: (details: StepUpRequiredDetails) => Promise<boolean> };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('ServicesContext missing');
  return s;
}

export const useApi = (): ApiClient => useServices().api;
