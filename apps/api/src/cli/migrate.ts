import { ConfigError, loadConfig } from '../config.ts';
import { createDatabase } from '../platform/db/client.ts';
import { runMigrations } from '../platform/db/migrate.ts';
import { databaseStartupError } from '../platform/startup.ts';

/** `npm run db:migrate`: Fly's release_command in production. */
try {
  const { config } = loadConfig();
  const database = await createDatabase(config, undefined, 'npm run db:migrate');
  try {
    await database.ping(10_000).catch((err: unknown) => {
      throw databaseStartupError(err, config.database);
    });
    const applied = await runMigrations(database);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
