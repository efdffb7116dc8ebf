import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './platform/logger.ts';
import { flushErrors, initSentry, reportError } from './platform/sentry.ts';
import { StartupError } from './platform/startup.ts';
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
  const [{ bootServer }, { installGracefulShutdown }] = await Promise.all([import('./boot.ts'), import('./lifecycle.ts')]);
  const { app, platform, setupLink } = await bootServer(config, log);
  if (telemetry) platform.onClose(() => telemetry.shutdown());

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
  if (setupLink) {
    // On the terminal only, not in the structured log (it carries a credential): the first administrator.
    console.log(
      `\nNo administrator yet. Create the first one (with two-factor authentication) in the browser:\n\n  ${setupLink.url}\n\n` +
        `One-time link, valid until ${setupLink.expiresAt.toISOString()} (${Math.round((setupLink.expiresAt.getTime() - Date.now()) / 60_000)} minutes); ` +
        'each start prints a new one while no administrator exists.\n',
    );
  }
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
