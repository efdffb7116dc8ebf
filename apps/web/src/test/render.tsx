import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AuthProvider } from '../app/auth.tsx';
import { StepUpProvider } from '../app/StepUpDialog.tsx';
import { createPriceStore } from '../shared/market.ts';
import { type Services, ServicesContext } from '../shared/services.ts';
import { createApiClient } from '../lib/apiClient.ts';
import type { HealthMonitor } from '../lib/healthCheck.ts';
import type { WebConfig } from '../lib/runtimeConfig.ts';
import type { Realtime } from '../lib/socket.ts';
import { ToastProvider } from '../ui/Toasts.tsx';

export type Handler = (method: string, path: string, body: unknown) => { status: number; body?: unknown } | undefined;

/** A scripted API behind the real api client; unscripted calls answer 404 NOT_FOUND (the session check: anonymous). */
export function fakeApi(handler: Handler, stepUp?: Services['stepUp']) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, body });
    const r =
      url.pathname === '/api/csrf'
        ? { status: 200, body: { csrfToken: 't' } }
        : (handler(method, url.pathname, body) ??
          (url.pathname === '/api/auth/session' ? { status: 200, body: { authenticated: false, user: null, canRefresh: false } } : undefined));
    const res = r ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'not scripted', requestId: 'test' } } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const api = createApiClient({
    baseUrl: () => '',
    fetch: fetchImpl,
    retryBaseMs: 1,
    maxAttempts: 1,
    ...(stepUp ? { onStepUpRequired: (d) => stepUp.handler(d) } : {}),
  });
  return { calls, api };
}

const noop = () => () => {};
export const fakeRealtime = (): Realtime => ({
  connect: () => {},
  reconnect: () => {},
  close: () => {},
  subscribe: () => () => {},
  on: noop,
  status: () => 'connected',
  transport: () => 'websocket',
  onStatus: noop,
  subscribedAssets: () => [],
});

const config: WebConfig = {
  apiBaseUrl: '',
  socketUrl: '',
  socketIoPath: '/socket.io/',
  environment: 'test',
  version: 'test',
  features: {},
  sentryDsn: null,
  source: 'default',
};

/** Renders routes with the app's providers around them, starting at `path`. */
export function renderRoutes(routes: { path: string; element: ReactNode }[], path: string, handler: Handler, realtime: Realtime = fakeRealtime()) {
  const stepUp: Services['stepUp'] = { handler: async () => false };
  const { api, calls } = fakeApi(handler, stepUp);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const services: Services = {
    config,
    api,
    realtime,
    health: { start() {}, stop() {}, checkNow: async () => {}, state: () => 'online', nextCheckInMs: () => null, subscribe: noop } as HealthMonitor,
    queryClient,
    prices: createPriceStore(),
    sessionExpired: { handler: () => {} },
    stepUp,
  };
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const utils = render(
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <AuthProvider>
            <StepUpProvider>
              <RouterProvider router={router} />
            </StepUpProvider>
          </AuthProvider>
        </ToastProvider>
      </QueryClientProvider>
    </ServicesContext.Provider>,
  );
  return { ...utils, calls, router };
}
