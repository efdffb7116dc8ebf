import type { Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * OpenTelemetry tracing of HTTP (server and client), PostgreSQL (pg), Redis (ioredis) and fetch (undici) calls,
 * exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Off otherwise, at no cost: no OpenTelemetry
 * module is imported unless `startTelemetry` finds an endpoint.
 *
 * Instrumentation patches modules as they load, so this must run BEFORE the application imports fastify, pg
 * or ioredis: server.ts starts it first and imports the application dynamically afterwards.
 */

export interface TraceIds {
  traceId: string;
  spanId: string;
}

export interface Telemetry {
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

let activeIds: () => TraceIds | undefined = () => undefined;

/** The active span's ids, for log lines; undefined while tracing is off or outside a traced request. */
export function currentTraceIds(): TraceIds | undefined {
  return activeIds();
}

/** pino mixin: `traceId`/`spanId` on every line logged inside a traced request (what log backends join on). */
export function traceLogMixin(): Record<string, string> {
  const ids = activeIds();
  return ids ? { traceId: ids.traceId, spanId: ids.spanId } : {};
}

/** Probes and scrapes every few seconds would drown the traces. */
const UNTRACED = /^\/(health|metrics|ping)(\/|\?|$)/;

export async function startTelemetry(config: Pick<Config, 'telemetry' | 'version' | 'environment' | 'fly'>, log: Logger): Promise<Telemetry | null> {
  const t = config.telemetry;
  if (!t) return null;

  // ESM imports of ioredis and node:http are only visible to instrumentation through import-in-the-middle's
  // loader hook; the message channel limits the hook to the modules that instrumentations asked for.
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [api, { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const [{ registerInstrumentations }, { HttpInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }, { UndiciInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
      import('@opentelemetry/instrumentation-undici'),
    ]);

  const exporter = new OTLPTraceExporter({ url: `${t.endpoint}/v1/traces`, headers: t.headers, timeoutMillis: 5000 });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': t.serviceName,
      'service.version': config.version,
      'deployment.environment.name': config.environment,
      ...(config.fly.region ? { 'cloud.region': config.fly.region } : {}),
      ...(config.fly.machineId ? { 'service.instance.id': config.fly.machineId } : {}),
      ...(config.fly.appName ? { 'cloud.provider': 'fly_io' } : {}),
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(t.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  // AsyncLocalStorage context and W3C traceparent propagation: a caller's trace continues through the API.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? '') }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  await waitForAllMessagesAcknowledged();

  activeIds = () => {
    const ctx = api.trace.getActiveSpan()?.spanContext();
    return ctx && api.isSpanContextValid(ctx) ? { traceId: ctx.traceId, spanId: ctx.spanId } : undefined;
  };
  log.info({ endpoint: t.endpoint, serviceName: t.serviceName, sampleRatio: t.sampleRatio }, 'OpenTelemetry tracing enabled (OTLP/HTTP)');
  return {
    async shutdown() {
      activeIds = () => undefined;
      await provider.shutdown();
    },
  };
}
