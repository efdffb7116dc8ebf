import { loadavg } from 'node:os';
import { verifyInclusionProof } from '@cryptovault/contract/pol/verify';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../apps/api/src/config.ts';
import { rows } from '../apps/api/src/platform/db/sql.ts';
import { inclusionProof, type SnapshotPhase, takeSnapshot } from '../apps/api/src/modules/pol/pol.service.ts';
import { createDatabase } from '../apps/api/src/platform/db/client.ts';
import { runMigrations } from '../apps/api/src/platform/db/migrate.ts';
import { compose } from '../apps/api/src/compose.ts';
// @ts-expect-error plain ESM helper without types
import { machine, percentile, writeSection } from './lib.mjs';

const HELP = `node bench/pol-snapshot.mjs: one proof-of-liabilities snapshot per size against real PostgreSQL.
  BENCH_DATABASE_URL     server and database name prefix (default postgres://postgres@127.0.0.1:5432/cv_bench_pol);
                         each run creates <name>_<timestamp>, seeds it, and drops it at the end
  BENCH_POL_ACCOUNTS     sizes, ascending, comma-separated (default 100000,1000000); each size seeds the users it adds
  BENCH_POL_REUSE=1      use the database <name> itself: created when missing, kept after the run, only the missing
                         users seeded (a size below what it already holds is refused); prints the figures but does
                         not write docs/performance.md (earlier snapshots stay in the append-only tables)
  BENCH_POL_SEED_ONLY=1  reuse, seed up to the largest size, vacuum analyze, and stop (for EXPLAIN by hand)`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cv_bench_pol';
const SEED_ONLY = process.env.BENCH_POL_SEED_ONLY === '1';
const REUSE = SEED_ONLY || process.env.BENCH_POL_REUSE === '1';
const RUN_DB = REUSE ? new URL(SERVER_URL).pathname.slice(1) : `${new URL(SERVER_URL).pathname.slice(1)}_${Date.now()}`;
if (!/^[a-z0-9_]+$/.test(RUN_DB)) throw new Error(`database name ${RUN_DB}: use lower-case letters, digits and _`);
const URL_ = (() => {
  const u = new URL(SERVER_URL);
  u.pathname = `/${RUN_DB}`;
  return u.toString();
})();
const SIZES = (process.env.BENCH_POL_ACCOUNTS ?? '100000,1000000').split(',').map(Number);
const PROOFS = 200;

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const u = new URL(SERVER_URL);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    return await admin.query(text);
  } finally {
    await admin.end();
  }
}

/**
 * Users `from`..`to` (exclusive) with reconciled balances: one deposit entry per chunk whose postings credit each
 * user's accounts and debit custody by the same total, account balances set to what their postings sum to.
 */
async function seed(db: pg.Client, from: number, to: number): Promise<void> {
  const CHUNK = 50_000;
  for (let a = from; a < to; a += CHUNK) {
    const b = Math.min(to, a + CHUNK);
    await db.query('begin');
    await db.query('create temp table newu (id uuid, email text) on commit drop');
    await db.query(`with ins as (
        insert into users (email, name, password_hash, email_verified_at)
        select 'pol-bench-' || g || '@example.test', 'Bench', 'x', now() from generate_series(${a}, ${b - 1}) g
        returning id, email)
      insert into newu select id, email from ins`);
    await db.query(`create temp table seedbal on commit drop as
      select u.id as user_id, x.asset, x.amount
      from newu u, lateral (
        select 'USD' as asset, ((hashtext(u.email) & 1048575) / 100.0 + 1)::numeric(38,18) as amount
        union all
        select 'BTC', ((hashtext(u.email || 'b') & 1048575) / 100000000.0 + 0.00000001)::numeric(38,18) where hashtext(u.email) % 4 = 0
      ) x`);
    await db.query(`insert into ledger_accounts (key, kind, user_id, asset, available)
      select 'user:' || user_id || ':' || asset, 'user', user_id, asset, amount from seedbal`);
    await db.query(`insert into ledger_accounts (key, kind, asset) values ('custody:USD:0', 'custody', 'USD'), ('custody:BTC:0', 'custody', 'BTC')
      on conflict (key) do nothing`);
    await db.query(`with e as (insert into journal_entries (type, reference) values ('deposit', 'pol-bench:${a}') returning id)
      insert into journal_postings (entry_id, account_id, user_id, asset, bucket, leg, amount)
      select e.id, acc.id, s.user_id, s.asset, 'available', 'deposit', s.amount
      from e, seedbal s join ledger_accounts acc on acc.key = 'user:' || s.user_id || ':' || s.asset
      union all
      select e.id, acc.id, null, t.asset, 'available', 'deposit', -t.total
      from e, (select asset, sum(amount) as total from seedbal group by asset) t join ledger_accounts acc on acc.key = 'custody:' || t.asset || ':0'`);
    await db.query(`update ledger_accounts a set available = a.available - t.total
      from (select asset, sum(amount) as total from seedbal group by asset) t where a.key = 'custody:' || t.asset || ':0'`);
    await db.query('commit');
  }
}

interface Row {
  accounts: number;
  /** Load averages (1, 5, 15 min) just before and just after the snapshot: the host is shared. */
  loadBefore: number[];
  loadAfter: number[];
  leaves: number;
  depth: number;
  seconds: number;
  /** Seconds per phase of takeSnapshot; `rest` is signing, the root row and the commit (deferred foreign-key checks). */
  phases: Record<SnapshotPhase | 'rest', number>;
  /** Heap in use (after a forced GC) just before the snapshot: what the peak is measured above. */
  baseHeapMb: number;
  peakHeapMb: number;
  peakRssMb: number;
  treeMb: number;
  proofP50: number;
  proofP99: number;
  verifyP50: number;
}

const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');

function render(out: Row[]): void {
  const lines = out.map(
    (r) =>
      `| ${r.accounts.toLocaleString('en-US')} | ${r.leaves.toLocaleString('en-US')} | ${r.depth} | ${r.seconds.toFixed(1)} s | ${r.baseHeapMb.toFixed(0)} → ${r.peakHeapMb.toFixed(0)} MiB | ${r.peakRssMb.toFixed(0)} MiB | ${r.treeMb.toFixed(0)} MiB | ${r.proofP50.toFixed(1)} / ${r.proofP99.toFixed(1)} ms | ${r.verifyP50.toFixed(1)} ms | ${load(r.loadBefore)} → ${load(r.loadAfter)} |`,
  );
  const f = (x: number): string => `${x.toFixed(1)} s`;
  const phaseLines = out.map(
    (r) =>
      `| ${r.accounts.toLocaleString('en-US')} | ${f(r.phases.reconcile)} | ${f(r.phases.balances)} | ${f(r.phases.leaves)} | ${f(r.phases.tree)} | ${f(r.phases.rest)} |`,
  );
  writeSection(
    'pol-snapshot',
    `## Proof-of-liabilities snapshot (\`bench/pol-snapshot.mjs\`)

One snapshot (\`takeSnapshot\`: reconciliation, every user's balances read page by page in one repeatable-read
transaction, salted leaves, the tree built a subtree per page through PostgreSQL, signed root) of N users with
reconciled balances (a USD account each, a BTC account for every fourth). Heap is the Node process's heap in use
just before the snapshot (after a forced GC, the baseline) → its peak during the snapshot, sampled every 50 ms, with
the peak RSS: they stay flat as N grows, because no level of the tree is ever held whole in memory. Tree is what the
snapshot added to \`pol_leaves\` + \`pol_nodes\`. Proof: fetching one user's inclusion proof (p50 / p99 of ${PROOFS}
random users); verify: the shared WebCrypto verifier. Load is the host's load average (1, 5, 15 min) just before →
just after the snapshot: the host is shared, and the times are only as quiet as it was.
${machine()}, PostgreSQL on the same host; ${new Date().toISOString().slice(0, 10)}.
\`node bench/pol-snapshot.mjs\` (\`--help\` for the options).

| users | leaves | depth | snapshot | heap: baseline → peak | peak RSS | tree on disk | proof fetch p50 / p99 | verify p50 | load before → after |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${lines.join('\n')}

Where the snapshot's time goes (\`onPhase\`): reconcile (\`reconcile\`, the ledger's check); balances (every page of
\`userHoldingsPage\`, hashed into salted leaves and staged in a temporary table); leaves (stored in \`pol_leaves\` in
hash order); tree (every node built and stored, a subtree of 2,048 nodes per page); rest (signing, the root row, and
the commit, which runs the deferred foreign-key checks of every leaf and node).

| users | reconcile | balances | leaves | tree | rest (commit) |
|---:|---:|---:|---:|---:|---:|
${phaseLines.join('\n')}`,
  );
}

const treeMb = async (db: Parameters<typeof rows>[0]): Promise<number> => {
  const [r] = await rows<{ mb: string }>(
    db,
    sql`select ((pg_total_relation_size('pol_leaves') + pg_total_relation_size('pol_nodes'))::float / 1048576)::text as mb`,
  );
  return Number(r!.mb);
};

async function main(): Promise<void> {
  const exists = (await adminQuery(`select 1 from pg_database where datname = '${RUN_DB}'`)).rowCount! > 0;
  if (!exists) await adminQuery(`create database ${RUN_DB}`);
  else if (!REUSE) throw new Error(`database ${RUN_DB} exists already`);
  const { config } = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: URL_, DB_POOL_SIZE: '4', DB_STATEMENT_TIMEOUT_MS: '0', LOG_LEVEL: 'silent' });
  const database = await createDatabase(config);
  const { platform } = await compose(config, pino({ level: 'silent' }), { database });
  const raw = new pg.Client({ connectionString: URL_ });
  const out: Row[] = [];
  try {
    await runMigrations(database);
    await raw.connect();
    // Users are seeded in committed chunks numbered from 0: what a kept database holds is where seeding resumes.
    let seeded = Number((await raw.query(`select count(*)::int as n from users where email like 'pol-bench-%'`)).rows[0].n);
    if (seeded > 0) console.log(`database ${RUN_DB} holds ${seeded} users already`);
    for (const size of SIZES) {
      if (size < seeded) throw new Error(`database ${RUN_DB} holds ${seeded} users, more than ${size}: use another database for that size`);
      const t0 = performance.now();
      await seed(raw, seeded, size);
      const added = size - seeded;
      seeded = size;
      await raw.query('vacuum analyze users, ledger_accounts, journal_postings');
      console.log(`seeded ${added} users (${size} in all) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (SEED_ONLY) continue;
      const treeBefore = await treeMb(platform.database.db);

      (globalThis as { gc?: () => void }).gc?.();
      const baseHeap = process.memoryUsage().heapUsed;
      let peakHeap = baseHeap;
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed);
        peakRss = Math.max(peakRss, m.rss);
      }, 50);
      const loadBefore = loadavg();
      const s0 = performance.now();
      const phases: Partial<Record<SnapshotPhase, number>> = {};
      const record = await takeSnapshot(platform, { trigger: 'schedule', requestedBy: null, onPhase: (p, ms) => (phases[p] = ms / 1000) });
      const seconds = (performance.now() - s0) / 1000;
      const loadAfter = loadavg();
      clearInterval(sampler);
      const tree = (await treeMb(platform.database.db)) - treeBefore;

      const users = await rows<{ id: string }>(
        platform.database.db,
        sql`select user_id::text as id from pol_leaves where snapshot_id = ${record.snapshotId}::uuid order by random() limit ${PROOFS}`,
      );
      const fetchMs: number[] = [];
      const verifyMs: number[] = [];
      for (const u of users) {
        const f0 = performance.now();
        const proof = await inclusionProof(platform.database.db, u.id, record.snapshotId);
        fetchMs.push(performance.now() - f0);
        const v0 = performance.now();
        const r = await verifyInclusionProof(proof, { expectedRootHash: record.rootHash, expectedPublicKey: record.publicKey });
        verifyMs.push(performance.now() - v0);
        if (!r.ok) throw new Error(`proof of ${u.id} did not verify: ${r.errors.join('; ')}`);
      }
      fetchMs.sort((a, b) => a - b);
      verifyMs.sort((a, b) => a - b);
      const row: Row = {
        accounts: size,
        loadBefore,
        loadAfter,
        leaves: record.leafCount,
        depth: record.depth,
        seconds,
        phases: { ...(phases as Record<SnapshotPhase, number>), rest: seconds - Object.values(phases).reduce((a, b) => a + b, 0) },
        baseHeapMb: baseHeap / 2 ** 20,
        peakHeapMb: peakHeap / 2 ** 20,
        peakRssMb: peakRss / 2 ** 20,
        treeMb: tree,
        proofP50: percentile(fetchMs, 50),
        proofP99: percentile(fetchMs, 99),
        verifyP50: percentile(verifyMs, 50),
      };
      console.log(row);
      out.push(row);
      // After every size: a run stopped during a larger size keeps the smaller ones' figures.
      if (!REUSE) render(out);
    }
  } finally {
    await raw.end().catch(() => undefined);
    await platform.close();
    if (!REUSE) await adminQuery(`drop database if exists ${RUN_DB} with (force)`);
  }
}

await main();
