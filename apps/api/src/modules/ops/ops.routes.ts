import { isIP } from 'node:net';
import {
  ANY_OPERATOR,
  csrfResponse,
  errorBodySchema,
  flyHealthResponse,
  flyInstancesResponse,
  flyRegionResponse,
  flyStatusResponse,
  healthResponse,
  liveResponse,
  pingResponse,
  runtimeConfigResponse,
} from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendError } from '../../http/errors.ts';
import { ANONYMOUS_BINDING, CSRF_COOKIE, issueCsrfToken } from '../../platform/csrf.ts';
import type { CheckResult, Platform } from '../../platform/index.ts';
import { requireAdmin } from '../../platform/principal.ts';
import { Gauge } from 'prom-client';
import { databaseReadiness, flyHealth, flyInstances, flyStatus, liveness, readiness, region } from './ops.service.ts';

const ops = { tags: ['operations'] };
const noLimit = { rateLimit: false };

/** Loopback, RFC 1918, CGNAT, link-local and IPv6 ULA (Fly's 6PN is fdaa::/16). */
export function isPrivateAddress(raw: string | undefined): boolean {
  if (!raw) return false;
  const ip = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(ip) === 6) {
    const lower = ip.toLowerCase();
    return lower === '::1' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80');
  }
  return false;
}

/**
 * /metrics is for Prometheus: a bearer METRICS_TOKEN, or a caller on a private address that connected directly: the
 * client address is the TCP peer itself and no proxy header came with it (Fly's public proxy adds Fly-Client-IP and
 * X-Forwarded-For, and connects from a private address of its own).
 */
function metricsAllowed(platform: Pick<Platform, 'clientAddress' | 'config'>, request: FastifyRequest): boolean {
  const token = platform.config.metricsToken;
  const auth = request.headers.authorization;
  if (token && auth === `Bearer ${token}`) return true;
  const caller = platform.clientAddress(request.raw);
  return caller.from === 'socket' && !caller.relayed && isPrivateAddress(caller.ip);
}

/** Database readiness for alerting: measured at scrape time (one check per gauge), so it never lags behind /health. */
function registerReadinessMetrics(platform: Platform): void {
  const registers = [platform.metrics.registry];
  new Gauge({
    name: 'db_ready',
    help: '1 when the database answers and has every migration this release bundles, else 0',
    registers,
    async collect() {
      this.set((await databaseReadiness(platform)).status === 'ok' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'db_migrations_pending',
    help: 'Bundled migrations the database has not applied (0 when it cannot be read)',
    registers,
    async collect() {
      this.set((await databaseReadiness(platform)).pending?.length ?? 0);
    },
  });
}

export async function registerOps(root: FastifyInstance, { platform, priceHealth }: { platform: Platform; priceHealth: () => CheckResult }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { config } = platform;

  const healthSchema = { ...ops, summary: 'Readiness', response: { 200: healthResponse, 503: healthResponse } };
  for (const url of ['/health', '/api/health']) {
    app.get(url, { schema: healthSchema, config: noLimit }, async (_req, reply) => {
      const { httpStatus, body } = await readiness(platform, priceHealth);
      reply.header('cache-control', 'no-store');
      return reply.code(httpStatus as 200 | 503).send(body);
    });
  }
  app.get(
    '/health/live',
    {
      schema: { ...ops, summary: 'Liveness (Fly routes on it): the process answers; 503 while draining', response: { 200: liveResponse, 503: liveResponse } },
      config: noLimit,
    },
    async (_req, reply) => {
      const { httpStatus, body } = liveness(platform);
      reply.header('cache-control', 'no-store');
      return reply.code(httpStatus).send(body);
    },
  );
  registerReadinessMetrics(platform);

  for (const url of ['/ping', '/api/ping']) {
    app.get(url, { schema: { ...ops, response: { 200: pingResponse } }, config: noLimit }, async () => ({
      status: 'ok' as const,
      message: 'pong' as const,
      timestamp: new Date().toISOString(),
      version: config.version,
    }));
  }

  for (const url of ['/csrf', '/api/csrf']) {
    app.get(url, { schema: { ...ops, summary: 'CSRF token (double-submit)', response: { 200: csrfResponse } } }, async (request, reply) => {
      const binding = request.principal?.sessionId ?? ANONYMOUS_BINDING;
      const csrfToken = issueCsrfToken(config.auth.csrfSecret, binding);
      reply.setCookie(CSRF_COOKIE, csrfToken, {
        path: '/',
        httpOnly: true,
        secure: config.cookies.secure,
        sameSite: config.cookies.crossSite ? 'none' : 'lax',
      });
      reply.header('cache-control', 'no-store');
      return { csrfToken };
    });
  }

  app.get(
    '/api/config',
    { schema: { ...ops, summary: 'Runtime configuration for the web app', response: { 200: runtimeConfigResponse } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return {
        appUrl: config.appUrl,
        apiBaseUrl: config.publicApiUrl,
        wsBaseUrl: config.publicWsUrl,
        socketIoPath: config.socketIoPath,
        environment: config.environment,
        version: config.version,
        region: config.fly.region,
        sentryDsn: config.sentry.publicDsn,
        features: {
          simulatedPrices: config.prices.source === 'simulated',
          simulatedPayments: config.payments.provider === 'simulated',
          devTools: config.devToolsEnabled,
          emailOutbox: config.email.provider === 'dev-outbox',
        },
      };
    },
  );

  // Rate limited like every /api route: telling callers their own address is harmless, and bounded.
  app.get(
    '/api/fly/region',
    { schema: { ...ops, summary: "This machine's region, and the caller's address as the server sees it", response: { 200: flyRegionResponse } } },
    async (request) => ({ ...region(platform), clientIp: request.ip }),
  );
  app.get('/api/fly/health/fly', { schema: { ...ops, response: { 200: flyHealthResponse, 503: flyHealthResponse } }, config: noLimit }, async (_req, reply) => {
    const body = flyHealth(platform);
    return reply.code(body.draining ? 503 : 200).send(body);
  });
  const adminOnly = { 401: errorBodySchema, 403: errorBodySchema };
  app.get(
    '/api/fly/status',
    { schema: { ...ops, summary: 'Deployment details (admin)', response: { 200: flyStatusResponse, ...adminOnly } }, config: { role: ANY_OPERATOR } },
    async (request) => {
      requireAdmin(request);
      return flyStatus(platform);
    },
  );
  app.get(
    '/api/fly/instances',
    { schema: { ...ops, summary: 'Machines of this app (admin)', response: { 200: flyInstancesResponse, ...adminOnly } }, config: { role: ANY_OPERATOR } },
    async (request) => {
      requireAdmin(request);
      return flyInstances(platform);
    },
  );

  app.get('/metrics', { schema: { hide: true }, config: noLimit }, async (request, reply) => {
    if (!metricsAllowed(platform, request)) {
      return sendError(reply, request, 403, 'FORBIDDEN', 'Metrics require METRICS_TOKEN or a private-network connection');
    }
    reply.header('content-type', platform.metrics.registry.contentType);
    return platform.metrics.registry.metrics();
  });
}
