import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { installGracefulShutdown } from './lifecycle.ts';
import { runMigrations } from './platform/db/migrate.ts';
import { createPlatform } from './platform/index.ts';
import { createLogger } from './platform/logger.ts';
import { initSentry } from './platform/sentry.ts';

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.env);
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
  await initSentry(config, log);

  const platform = await createPlatform(config, log);
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
