import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createOrPromoteAdmin } from '../modules/auth/admin-account.ts';
import { publishAuthChanges } from './auth-changes.ts';
import { createDatabase } from '../platform/db/client.ts';
import { runMigrations } from '../platform/db/migrate.ts';
import { StartupError } from '../platform/startup.ts';

const USAGE = `usage: npm run admin:create -- --email <address> [--name <name>] [--password-stdin]

Creates an administrator, or promotes an existing account to administrator.
  --password-stdin   read the password from standard input (e.g. echo "$PW" | npm run admin:create -- --email a@b.c --password-stdin)
Without it, a new account gets a generated one-time password (printed once; change it after signing in) and an
existing account keeps its password. Administrators must enable 2FA before admin routes open.`;

const EMBEDDED_HINT =
  'The first administrator needs no second process: a start with no administrator prints a one-time setup link ' +
  '(/setup?token=...) that creates it in the browser. To create or promote an administrator from this command instead, ' +
  'stop the server (Ctrl+C in the terminal running npm start), run admin:create, then start the server again.';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (args.help || !args.email) {
    console.error(USAGE);
    return args.help ? 0 : 64;
  }
  const { config } = loadConfig();
  // The embedded database is one process's: a running server holds it and this refuses at once, touching nothing.
  let database: Awaited<ReturnType<typeof createDatabase>>;
  try {
    database = await createDatabase(config, undefined, 'npm run admin:create');
  } catch (err) {
    if (err instanceof StartupError && config.database.kind === 'pglite') {
      console.error(`admin:create refused: ${err.message}\n${EMBEDDED_HINT}`);
      return 75; // EX_TEMPFAIL
    }
    throw err;
  }
  try {
    const password = args['password-stdin'] ? await readStdin() : undefined;
    // Embedded mode: the database may be new. Production migrates in Fly's release command.
    if (!config.isProduction) await runMigrations(database);
    const r = await createOrPromoteAdmin(database, {
      email: args.email,
      ...(args.name ? { name: args.name } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    if (!r.created) await publishAuthChanges(config, [r.userId]);
    console.log(`${r.created ? 'created administrator' : 'promoted to administrator'}: ${r.email} (id ${r.userId})`);
    if (r.generatedPassword) console.log(`one-time password (shown once; change it after signing in): ${r.generatedPassword}`);
    console.log('next: sign in and enable two-factor authentication (Settings → Security); admin routes require it.');
    return 0;
  } finally {
    await database.close();
  }
}

function parse() {
  return parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }).values;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `admin:create failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
