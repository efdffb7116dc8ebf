import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { type App, buildApp } from './app.ts';
import { compose, type Root } from './compose.ts';
import type { Config } from './config.ts';
import { checkDataKey } from './modules/auth/data-key.ts';
import { issueSetupLink } from './modules/auth/setup.service.ts';
import { runMigrations } from './platform/db/migrate.ts';
import type { Platform } from './platform/index.ts';
import { applyLocalSecrets } from './platform/local-secrets.ts';
import { databaseStartupError } from './platform/startup.ts';

export interface Booted {
  app: App;
  /** The composition root the app was built from (compose.ts). */
  root: Root;
  /** `root.platform`: what shutdown drains and closes. */
  platform: Platform;
  /** The configuration in use: outside production, with the secrets kept in DATA_DIR in place of placeholders. */
  config: Config;
  /** Embedded mode with no administrator: the one-time link that creates the first one in the browser. */
  setupLink: { url: string; expiresAt: Date } | null;
}

/**
 * Everything `npm start` does between reading the configuration and listening, in one place so that tests restart
 * the server the way it really starts: kept development secrets, the embedded directory's lock (taken by the
 * database client), the composition root, migrations, the data-key check, modules.
 */
export async function bootServer(loaded: Config, log: Logger): Promise<Booted> {
  const secrets = applyLocalSecrets(loaded);
  const config = secrets.config;
  if (secrets.created.length > 0) {
    log.warn(
      { file: secrets.file, secrets: secrets.created },
      `Generated development secrets ${secrets.created.join(', ')} and kept them in ${secrets.file} (mode 0600): 2FA secrets and sessions survive restarts. ` +
        'Back the file up with the data directory; without it, accounts with 2FA cannot sign in.',
    );
  } else if (secrets.reused.length > 0) {
    log.info({ file: secrets.file, secrets: secrets.reused }, 'development secrets read from the data directory');
  }

  let platform: Platform | null = null;
  try {
    const root = await compose(config, log);
    platform = root.platform;
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
      // Keys generated per process (DATA_DIR=:memory:) outlive nothing: there is nothing to compare them with.
      const keyFromFile = config.generatedSecrets.includes('DATA_ENCRYPTION_KEY');
      if (!keyFromFile || secrets.file) {
        const dataDir = config.database.kind === 'pglite' ? (config.database.dataDir ?? ':memory:') : 'DATABASE_URL';
        const source =
          secrets.file && keyFromFile
            ? { kind: 'file' as const, file: secrets.file, createdNow: secrets.created.includes('DATA_ENCRYPTION_KEY') }
            : { kind: 'environment' as const };
        await checkDataKey(platform.database, config.auth.dataEncryptionKey, source, dataDir);
      }
    }
    const app = await buildApp(root);
    let setupLink: Booted['setupLink'] = null;
    if (config.database.kind === 'pglite' && !config.isProduction) {
      const issued = await issueSetupLink(platform.database);
      if (issued) setupLink = { url: `${config.appUrl}/setup?token=${issued.token}`, expiresAt: issued.expiresAt };
    }
    return { app, root, platform, config, setupLink };
  } catch (err) {
    await platform?.close().catch(() => undefined);
    // A refused start leaves the directory as it found it: a key file it generated would otherwise stand in the
    // way of restoring the original one.
    if (secrets.createdFile && secrets.file) rmSync(secrets.file, { force: true });
    throw err;
  }
}
