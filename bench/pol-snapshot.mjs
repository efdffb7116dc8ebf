// Proof-of-liabilities snapshot of many accounts against real PostgreSQL: seeds reconciled balances for N users
// (default 100,000 then 1,000,000, one USD account each and a BTC account for every fourth), takes a snapshot at each
// size, and records the wall time, the Node process's peak heap and RSS (bounded: the tree is streamed through the
// database a page at a time), the tree's size in PostgreSQL, and the latency of fetching and verifying proofs.
// Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cv_bench_pol: the server and a name
// prefix; each run creates a fresh database and drops it). BENCH_POL_ACCOUNTS=100000,1000000 sets the sizes.
// BENCH_POL_REUSE=1 keeps one database between runs instead (the one named in BENCH_DATABASE_URL, created when
// missing, never dropped), seeds only the users it lacks and does not write docs/performance.md: for investigating
// one size (EXPLAIN, profiles) without reseeding. BENCH_POL_SEED_ONLY=1 (implies reuse) seeds and stops.
//   node bench/pol-snapshot.mjs            (or: npm run bench -- pol-snapshot; --help prints these options)
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', new URL('./pol-snapshot.run.ts', import.meta.url).pathname, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LOG_LEVEL: 'silent' },
});
