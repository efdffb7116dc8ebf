import { z } from 'zod';

export const healthStatus = z.enum(['ok', 'degraded', 'draining', 'down']);
export const checkResult = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  latencyMs: z.number().optional(),
  detail: z.string().optional(),
  ageMs: z.number().nullable().optional(),
  /** Database only: bundled migrations this database has not applied (the machine is not ready until it has). */
  pending: z.array(z.string()).optional(),
});
export const healthResponse = z.object({
  status: healthStatus,
  version: z.string(),
  checks: z.object({ database: checkResult, cache: checkResult, prices: checkResult }),
});
export type HealthResponse = z.infer<typeof healthResponse>;

/** Liveness: the process serves and its event loop answers; nothing outside the process is consulted. */
export const liveResponse = z.object({ status: z.enum(['ok', 'draining']) });

export const pingResponse = z.object({
  status: z.literal('ok'),
  message: z.literal('pong'),
  timestamp: z.string(),
  version: z.string(),
});

export const csrfResponse = z.object({ csrfToken: z.string() });

export const runtimeConfigResponse = z.object({
  appUrl: z.string(),
  apiBaseUrl: z.string(),
  wsBaseUrl: z.string(),
  socketIoPath: z.string(),
  environment: z.string(),
  version: z.string(),
  region: z.string().nullable(),
  sentryDsn: z.string().nullable(),
  features: z.record(z.string(), z.boolean()),
});
export type RuntimeConfig = z.infer<typeof runtimeConfigResponse>;

export const flyRegionResponse = z.object({
  region: z.string(),
  machineId: z.string(),
  primaryRegion: z.string(),
  /**
   * The caller's address as this server sees it after its proxy trust (what rate limits key on). The smoke command
   * sends a forged X-Forwarded-For / Fly-Client-IP and checks that this does not change.
   */
  clientIp: z.string(),
});

export const flyHealthResponse = z.object({
  status: healthStatus,
  machineId: z.string(),
  region: z.string(),
  uptimeSeconds: z.number(),
  draining: z.boolean(),
});

export const flyStatusResponse = z.object({
  app: z.string(),
  machineId: z.string(),
  region: z.string(),
  primaryRegion: z.string(),
  imageRef: z.string().nullable(),
  privateIp: z.string().nullable(),
  processGroup: z.string().nullable(),
  version: z.string(),
  nodeVersion: z.string(),
  uptimeSeconds: z.number(),
  memory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), vmMemoryMb: z.number().nullable() }),
});

export const flyInstancesResponse = z.object({
  source: z.enum(['fly-dns', 'local']),
  instances: z.array(z.object({ id: z.string(), region: z.string() })),
});
