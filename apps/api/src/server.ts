import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './platform/logger.ts';
import { initSentry } from './platform/sentry.ts';
import { startTelemetry } from './platform/telemetry.ts';

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`CryptoVault cannot start.\n${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { config, notices } = loaded;
  const log = createLogger(config);
  for (const n of notices) log.warn(n);
  // Tracing hooks http, pg and ioredis as they load, so the application is imported only after it starts: keep
  // application imports below dynamic (nothing OpenTelemetry is loaded when OTEL_EXPORTER_OTLP_ENDPOINT is unset).
  const telemetry = await startTelemetry(config, log);
  await initSentry(config, log);
  const [{ buildApp }, { installGracefulShutdown }, { runMigrations }, { createPlatform }] = await Promise.all([
    import('./app.ts'),
    import('./lifecycle.ts'),
    import('./platform/db/migrate.ts'),
    import('./platform/index.ts'),
  ]);

  const platform = await createPlatform(config, log);
  if (telemetry) platform.onClose(() => telemetry.shutdown());
  if (!config.isProduction) {
    const applied = await runMigrations(platform.database);
    if (applied.length) log.info({ applied }, 'database migrations applied');
  }
  const app = await buildApp(platform);

  const shutdown = installGracefulShutdown(app, platform, (code) => process.exit(code));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  log.info(
    {
      url: `http://localhost:${config.port}`,
      environment: config.environment,
      database: config.database.kind,
      cache: config.redis.kind,
      prices: config.prices.source,
      email: config.email.provider,
      payments: config.payments.provider,
    },
    'CryptoVault is listening',
  );
}

main().catch((err: unknown) => {
  console.error('CryptoVault failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
