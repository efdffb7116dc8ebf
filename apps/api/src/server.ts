import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './platform/logger.ts';
import { flushErrors, initSentry, reportError } from './platform/sentry.ts';
import { databaseStartupError, StartupError } from './platform/startup.ts';
import { startTelemetry } from './platform/telemetry.ts';

let log: Logger | null = null;

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
  log = createLogger(config);
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
  // Outside production the server migrates, so it needs the database now. In production it starts without it
  // (live, not ready: /health says why), so that machines restarted during a database outage keep serving.
  try {
    await platform.database.ping(5_000);
  } catch (err) {
    const problem = databaseStartupError(err, config.database);
    if (!config.isProduction) throw problem;
    log.error({ component: problem.component, variable: problem.variable }, `${problem.message} Starting anyway: not ready until it answers.`);
  }
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

main().catch(async (err: unknown) => {
  reportError(err);
  await flushErrors();
  if (err instanceof StartupError) {
    log?.fatal({ component: err.component, variable: err.variable, err }, err.message);
    log?.flush();
    console.error(`CryptoVault cannot start: ${err.message}`);
  } else {
    log?.fatal({ err }, 'start-up failed');
    log?.flush();
    console.error('CryptoVault failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
