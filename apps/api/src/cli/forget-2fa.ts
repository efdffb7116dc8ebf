import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { forgetTwoFactor } from '../modules/auth/data-key.ts';
import { publishAuthChanges } from './auth-changes.ts';
import { createDatabase } from '../platform/db/client.ts';
import { runMigrations } from '../platform/db/migrate.ts';
import { applyLocalSecrets } from '../platform/local-secrets.ts';
import { StartupError } from '../platform/startup.ts';

const USAGE = `usage: npm run keys:forget-2fa -- --confirm

For a data directory whose data-encryption key is lost for good (the server refuses to start and says so):
turns two-factor authentication off for every account, ends every session, and records the key now in use
(DATA_ENCRYPTION_KEY, or the one kept in DATA_DIR/secrets.json). People sign in with their password and enrol
again; administrators must before admin routes open. Stop the server first. Recorded in the audit log.`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { confirm: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help || !values.confirm) {
    console.error(USAGE);
    return values.help ? 0 : 64;
  }
  const { config } = applyLocalSecrets(loadConfig().config);
  const database = await createDatabase(config, undefined, 'npm run keys:forget-2fa');
  try {
    if (!config.isProduction) await runMigrations(database);
    const r = await forgetTwoFactor(database, config.auth.dataEncryptionKey);
    await publishAuthChanges(config, r.userIds);
    console.log(`two-factor authentication turned off for ${r.accounts} account(s); ${r.sessions} session(s) ended; the current key is now recorded.`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      err instanceof ConfigError ? err.message : err instanceof StartupError ? `refused: ${err.message}` : `keys:forget-2fa failed: ${(err as Error).message}`,
    );
    process.exit(1);
  },
);
