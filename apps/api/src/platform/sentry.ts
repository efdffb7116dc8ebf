import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { currentTraceIds } from './telemetry.ts';

const SCRUB_HEADERS = ['cookie', 'authorization', 'x-csrf-token', 'x-nowpayments-sig', 'x-api-key', 'set-cookie', 'idempotency-key'];
/** Query parameters that carry secrets (password reset links, socket tokens). */
const SECRET_QUERY = /([?&](?:token|code|key|secret|password|access_token|refresh_token)=)[^&#]*/gi;

type SentryModule = typeof import('@sentry/node');
let sentry: SentryModule | null = null;
/** The OpenTelemetry ids current where each reported error was caught, for beforeSend (the last word on an event). */
const traceOf = new WeakMap<object, { traceId: string; spanId: string }>();

export interface ErrorContext {
  requestId?: string;
  method?: string;
  /** The route pattern (`/api/orders/:id`), never the raw URL. */
  route?: string;
}

/**
 * Sentry only when SENTRY_DSN is set; the SDK is loaded lazily so it costs nothing otherwise. The release is the
 * deployment's version (the build's commit or Fly's image). Sentry sets up no tracer of its own (OTLP export is
 * ours); `reportError` gives each event the trace id of the active OpenTelemetry span, so an error in Sentry, its
 * request's spans and its log lines share one trace id.
 */
export async function initSentry(config: Pick<Config, 'sentry' | 'environment' | 'version' | 'telemetry'>, log: Logger): Promise<void> {
  if (!config.sentry.dsn) return;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: config.sentry.dsn,
    environment: config.environment,
    release: config.version,
    tracesSampleRate: 0,
    // No personal data: no user fields, cookies or bodies; headers only by an allow-list; the scrubber below is
    // the second line (secrets in query strings, sensitive headers).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpBodies: [],
      httpHeaders: { request: { allow: ['user-agent', 'content-type', 'accept', 'x-request-id'] }, response: false },
      urlQueryParams: { deny: ['token', 'code', 'key', 'secret', 'password', 'access_token', 'refresh_token'] },
    },
    enableOpenTelemetrySetup: false,
    // One path reports request errors: http/errors.ts (5xx only, with the request id). Sentry's own Fastify hook
    // would report the same error first, untagged, and deduplication would then drop ours.
    integrations: (defaults) => defaults.filter((i) => i.name !== 'Fastify'),
    beforeSend(event, hint) {
      const error = hint.originalException;
      const ids = typeof error === 'object' && error !== null ? traceOf.get(error) : undefined;
      if (ids) event.contexts = { ...event.contexts, trace: { ...event.contexts?.trace, trace_id: ids.traceId, span_id: ids.spanId } };
      const req = event.request;
      if (req) {
        delete req.cookies;
        delete req.data;
        if (typeof req.url === 'string') req.url = req.url.replace(SECRET_QUERY, '$1[redacted]');
        if (typeof req.query_string === 'string') req.query_string = `?${req.query_string}`.replace(SECRET_QUERY, '$1[redacted]').slice(1);
        else delete req.query_string;
        if (req.headers) for (const h of Object.keys(req.headers)) if (SCRUB_HEADERS.includes(h.toLowerCase())) req.headers[h] = '[redacted]';
      }
      return event;
    },
  });
  sentry = Sentry;
  log.info({ release: config.version }, 'Sentry error reporting enabled');
}

/** Sends an unexpected error (a 5xx answer, a failed start) to Sentry when it is configured. */
export function reportError(err: unknown, context: ErrorContext = {}): void {
  const s = sentry;
  if (!s) return;
  // Read now, inside the request: the event is assembled later, and the SDK would put its own scope's trace there.
  const ids = currentTraceIds();
  if (ids && typeof err === 'object' && err !== null) traceOf.set(err, ids);
  s.withScope((scope) => {
    if (context.requestId) scope.setTag('requestId', context.requestId);
    if (context.route) scope.setTag('route', `${context.method ?? ''} ${context.route}`.trim());
    s.captureException(err);
  });
}

/** Waits (bounded) for queued events to be sent: before exiting on a start-up failure or at shutdown. */
export async function flushErrors(timeoutMs = 2_000): Promise<void> {
  await sentry?.flush(timeoutMs);
}
