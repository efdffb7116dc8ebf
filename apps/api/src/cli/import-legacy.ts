import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../config.ts';
import { authKeys } from '../modules/auth/index.ts';
import {
  type ImportReport,
  type LegacySource,
  type OnAnomaly,
  openDump,
  openMongo,
  runImport,
  type VerifyReport,
  verifyImport,
} from '../modules/legacy/index.ts';
import { rows } from '../platform/db/sql.ts';
import { createDatabase } from '../platform/db/client.ts';
import { runMigrations } from '../platform/db/migrate.ts';
import { applyLocalSecrets } from '../platform/local-secrets.ts';
import { StartupError } from '../platform/startup.ts';

const USAGE = `usage:
  npm run import:legacy -- (--dump <folder> | --mongo-url <url> [--mongo-db <name>]) [--dry-run] [--on-anomaly stop|review] [--json <file>]
  npm run import:legacy -- verify (--dump <folder> | --mongo-url <url> [--mongo-db <name>]) [--json <file>]
  npm run import:legacy -- review

Imports users, balances and history from the original system's MongoDB (a mongodump folder, or the live database
through a read-only user) into DATABASE_URL. Safe to run again: what was imported is skipped, an interrupted run
resumes. See docs/legacy-import.md.
  --dry-run               print the report (counts, totals per asset, roundings, anomalies) and write nothing
  --on-anomaly stop       (default) any anomaly (negative/NaN/infinite balance, duplicate email, ...) stops the run
                          before anything is written
  --on-anomaly review     hold anomalous users on the review list and import the rest
  --mongo-url -           read the URL from standard input (keeps its password out of the process list)
  --json <file>           also write the full report as JSON
  verify                  compare source and target after an import; exit 3 on any difference
  review                  list the documents held for review
Exit codes: 0 done, 2 stopped on anomalies, 3 verify found differences, 64 usage, 75 interrupted (run again), 1 error.`;

const EXIT = { ok: 0, error: 1, stopped: 2, mismatch: 3, usage: 64, interrupted: 75 } as const;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      dump: { type: 'string' },
      'mongo-url': { type: 'string' },
      'mongo-db': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'on-anomaly': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function openSource(v: ReturnType<typeof parse>['values']): Promise<LegacySource> {
  if (v.dump && v['mongo-url']) throw new UsageError('give either --dump or --mongo-url, not both');
  if (v.dump) return openDump(v.dump);
  if (v['mongo-url'] === '-') {
    // The URL carries a password: read it from standard input, out of the process list and the shell history.
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(Buffer.from(c));
    const url = Buffer.concat(chunks).toString('utf8').trim();
    if (!url) throw new UsageError('--mongo-url - reads the URL from standard input, which was empty');
    return openMongo(url, v['mongo-db']);
  }
  if (v['mongo-url']) return openMongo(v['mongo-url'], v['mongo-db']);
  throw new UsageError('say where the documents come from: --dump <folder> or --mongo-url <url>');
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const command = positionals[0] ?? 'import';
  if (!['import', 'verify', 'review'].includes(command) || positionals.length > 1) {
    console.error(`unknown command ${positionals.join(' ')}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const onAnomaly = (v['on-anomaly'] ?? 'stop') as OnAnomaly;
  if (onAnomaly !== 'stop' && onAnomaly !== 'review') {
    console.error(`--on-anomaly must be stop or review (got ${v['on-anomaly']})\n\n${USAGE}`);
    return EXIT.usage;
  }

  // Outside production an unset key is the one the server keeps in DATA_DIR/secrets.json: use the same.
  const secrets = applyLocalSecrets(loadConfig().config);
  const config = secrets.config;
  const ephemeralKey = config.generatedSecrets.includes('DATA_ENCRYPTION_KEY') && !secrets.file;
  if (command === 'import' && !v['dry-run'] && ephemeralKey && config.environment !== 'test') {
    console.error(
      'DATA_ENCRYPTION_KEY is not set: imported 2FA secrets would be encrypted with a key this process made up and no server could read them. ' +
        'Run the import with the same DATA_ENCRYPTION_KEY as the servers.',
    );
    return EXIT.usage;
  }
  // The embedded database is one process's: a running server holds it and this refuses at once, touching nothing.
  let database: Awaited<ReturnType<typeof createDatabase>>;
  try {
    database = await createDatabase(config, undefined, 'npm run import:legacy');
  } catch (err) {
    if (err instanceof StartupError && config.database.kind === 'pglite') {
      console.error(`import:legacy refused: ${err.message}\nStop the server (npm start) first, then run the import again.`);
      return EXIT.interrupted;
    }
    throw err;
  }
  let source: LegacySource | null = null;
  try {
    // Embedded mode: the database may be new. Production migrates in Fly's release command.
    if (!config.isProduction) await runMigrations(database);
    if (command === 'review') return await printReview(database.db);
    source = await openSource(v);
    if (command === 'verify') {
      const r = await verifyImport(database, source);
      console.log(formatVerify(r));
      if (v.json) writeFileSync(v.json, `${JSON.stringify(r, null, 2)}\n`);
      return r.ok ? EXIT.ok : EXIT.mismatch;
    }
    const controller = new AbortController();
    const stop = (sig: string) => {
      if (controller.signal.aborted) return;
      console.error(`${sig}: finishing the current user, then stopping (run the same command again to resume)`);
      controller.abort();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    const report = await runImport(database, source, {
      dryRun: Boolean(v['dry-run']),
      onAnomaly,
      keys: authKeys(config.auth.dataEncryptionKey),
      signal: controller.signal,
      progress: (line) => console.log(line),
    });
    console.log(formatReport(report));
    if (v.json) writeFileSync(v.json, `${JSON.stringify(report, null, 2)}\n`);
    if (report.status === 'stopped') return EXIT.stopped;
    if (report.status === 'interrupted') return EXIT.interrupted;
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw err;
  } finally {
    await source?.close();
    await database.close();
  }
}

function table(rowsIn: string[][]): string {
  const widths = rowsIn[0]!.map((_, i) => Math.max(...rowsIn.map((r) => (r[i] ?? '').length)));
  return rowsIn.map((r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`).join('\n');
}

export function formatReport(r: ImportReport): string {
  const out: string[] = [];
  const title = {
    'dry-run': 'DRY RUN: nothing was written',
    stopped: 'STOPPED on anomalies: nothing was written (fix the source, or use --on-anomaly review)',
    completed: 'import completed',
    interrupted: 'import INTERRUPTED: run the same command again to resume',
  }[r.status];
  out.push(`${title}`, `source: ${r.source}${r.runId ? `  (run ${r.runId})` : ''}`, '');
  const u = r.users;
  out.push(
    `users: ${u.seen} in source, ${u.planned} to import, ${r.status === 'dry-run' || r.status === 'stopped' ? 'would import' : 'imported'} ${
      r.status === 'dry-run' || r.status === 'stopped' ? u.planned - u.alreadyImported : u.imported
    }, already imported ${u.alreadyImported}, held for review ${u.held}`,
    `       2FA carried ${u.twoFactorCarried}, 2FA to set up again ${u.twoFactorReset}, suspended ${u.suspended}; wallets in source ${r.wallets}`,
    `history: ${r.history.seen} transactions in source; rows of the users to import ${r.history.ofImportedUsers}, imported ${r.history.imported}`,
    `         deposits ${r.movements.seen.deposits} (${r.movements.linked.deposits} already in transactions), withdrawals ${r.movements.seen.withdrawals} (${r.movements.linked.withdrawals}), transfers ${r.movements.seen.transfers} (${r.movements.linked.transfers}); the rest are rows of their own`,
    `orders: ${r.orders.seen} in source, ${r.orders.ofImportedUsers} of the users to import, imported ${r.orders.imported} (read-only order history)`,
    `price alerts: ${r.alerts.seen} in source, imported ${r.alerts.imported}`,
    '',
  );
  const assets = Object.entries(r.totals);
  if (assets.length) {
    out.push('balances per asset (source = exact decimal of each stored double; imported = rounded to the asset scale):');
    out.push(
      table([
        ['asset', 'accounts', 'source total', 'imported total', 'rounding'],
        ...assets.map(([a, t]) => [a, String(t.accounts), t.source, t.imported, t.rounding]),
      ]),
    );
    out.push('');
  }
  if (r.roundings.length) {
    out.push(`roundings (${r.roundings.length}):`);
    out.push(table([['user', 'asset', 'source', 'imported', 'delta'], ...r.roundings.map((x) => [x.sourceId, x.asset, x.source, x.imported, x.delta])]));
    out.push('');
  }
  if (r.anomalies.length) {
    out.push(
      `anomalies (${r.anomalies.length}) — ${r.onAnomaly === 'stop' ? 'the run stops on these' : 'held on the review list (npm run import:legacy -- review)'}:`,
    );
    for (const a of r.anomalies) out.push(`  ${a.collection}/${a.sourceId}: ${a.reason}: ${a.detail}`);
    out.push('');
  }
  if (r.notices.length) {
    out.push(`notices (${r.notices.length}):`);
    for (const n of r.notices) out.push(`  ${n.collection}/${n.sourceId}: ${n.kind}: ${n.detail}`);
    out.push('');
  }
  return out.join('\n');
}

export function formatVerify(r: VerifyReport): string {
  const out = [
    r.ok ? 'verify: OK — source and target agree' : 'verify: DIFFERENCES FOUND',
    `source: ${r.source}`,
    `users: ${r.usersImported}/${r.usersPlanned} imported, ${r.heldForReview} held for review; reconciliation ${r.reconciliationOk ? 'zero' : 'NOT ZERO'}`,
    `history rows: ${r.history.imported}/${r.history.expected}${r.history.imported === r.history.expected ? '' : ' DIFFERS'}`,
    `orders: ${r.orders.imported}/${r.orders.expected}${r.orders.imported === r.orders.expected ? '' : ' DIFFERS'}`,
  ];
  if (r.assets.length) {
    out.push(
      table([
        ['asset', 'source total', 'expected', 'posted', 'rounding', ''],
        ...r.assets.map((a) => [a.asset, a.source, a.expected, a.posted, a.rounding, a.ok ? 'ok' : 'DIFFERS']),
      ]),
    );
  }
  for (const m of r.missing.slice(0, 50)) out.push(`  not imported: users/${m}`);
  for (const m of r.mismatches.slice(0, 50)) out.push(`  users/${m.sourceId} ${m.asset}: expected ${m.expected}, posted ${m.posted}`);
  return out.join('\n');
}

async function printReview(db: Parameters<typeof rows>[0]): Promise<number> {
  const open = await rows<{ collection: string; source_id: string; reason: string; detail: string; last_seen_at: string }>(
    db,
    sql`select collection, source_id, reason, detail, last_seen_at::text from legacy_import_review where resolved_at is null order by collection, source_id, reason`,
  );
  if (!open.length) console.log('review list: empty');
  else {
    console.log(`review list (${open.length} open):`);
    for (const r of open) console.log(`  ${r.collection}/${r.source_id}: ${r.reason}: ${r.detail} (last seen ${r.last_seen_at})`);
  }
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `import:legacy failed: ${(err as Error).message}`);
    process.exit(EXIT.error);
  },
);
