import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from './embedded-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    admin: { email: string; password: string } | null;
  }
}

export const ADMIN = { email: 'e2e-admin@example.com', password: 'e2e admin passphrase 2026' };

/**
 * Starts the built server (`npm run build` first: apps/api/dist and apps/web/dist) in embedded mode on a free
 * port with a throw-away data directory: simulated market and payments, dev outbox, /api/dev helpers.
 * E2E_BASE_URL points the specs at a server that is already running instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    project.provide('baseUrl', external.replace(/\/$/, ''));
    project.provide('admin', null);
    return async () => {};
  }
  const server = await startEmbeddedServer(
    {
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      // The specs sign up and log in many times from one address.
      RATE_LIMIT_PER_MINUTE: '100000',
      // Requests from the loopback address may name their client (helpers.ts gives each sign-up its own address).
      TRUST_PROXY: '127.0.0.1',
      // Fast ticks keep "updates without a reload" quick to observe.
      PRICE_POLL_INTERVAL_MS: '1000',
    },
    { ...ADMIN, name: 'E2E Admin' },
  );
  project.provide('baseUrl', server.baseUrl);
  project.provide('admin', server.adminCreated ? ADMIN : null);
  return () => server.stop();
}
