// Market orders per second against real PostgreSQL, measured in the same run as a pgbench baseline (one UPDATE +
// one INSERT per transaction) at the same concurrency; plus the engine's tick evaluation with 100k open orders.
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cv_bench_orders: the server and a
// name prefix; each run creates a fresh database and drops it) and pgbench.
//   node bench/orders.mjs            (or: npm run bench -- orders)
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['--import', 'tsx', new URL('./orders.run.ts', import.meta.url).pathname, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LOG_LEVEL: 'silent' },
});
