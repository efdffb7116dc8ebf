// One "machine" running the recurring-buy scheduler, for the two-process tests (scheduler-processes.test.ts): the
// production composition root against DATABASE_URL and REDIS_URL, prices that are always fresh, and the
// scheduler driven by the environment:
//   RB_NOW        the scheduler's clock (ISO time), fixed
//   RB_USERS      comma-separated user ids whose schedules this process may run (test files share the database)
//   RB_NAMESPACE  the cluster namespace (lock and fencing-token name) shared by the processes of one test
//   RB_MODE       elect: take part in the leader election (Redis lock) for RB_DURATION_MS, sweeping every
//                 RB_INTERVAL_MS while leader, once the parent writes GO; token: act with fencing token RB_TOKEN without an election (a split
//                 brain), sweeping RB_SWEEPS times once the parent writes GO; once: elect (bump the epoch), sweep once
//   RB_CRASH      after-claim | after-order: SIGKILL this process at that point of the first run
// Prints READY when composed, and REPORT <json> (the summed sweep reports) before a normal exit.
import { pino } from 'pino';
import { compose } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { findAsset } from '../../src/platform/assets.ts';
import type { PriceReader } from '../../src/platform/prices.ts';
import { RecurringBuyScheduler, type SweepReport } from '../../src/modules/recurring/scheduler.ts';

const env = process.env;
const { config } = loadConfig({ ...env, ENVIRONMENT: 'test', LOG_LEVEL: env.NODE_LOG_LEVEL ?? 'warn' });
const PRICES: Record<string, string> = { bitcoin: '50000', ethereum: '2000' };
const prices: PriceReader = {
  get(id) {
    const a = findAsset(id);
    const p = a ? PRICES[a.id] : undefined;
    return a && p ? { assetId: a.id, symbol: a.symbol, priceUsd: p, updatedAt: Date.now() } : null;
  },
  all: () => [],
  ageMs: () => 0,
  isStale: () => false,
};
const root = await compose(config, pino({ level: config.logLevel }), { prices });
const kill = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<void>(() => undefined);
};
const crash = env.RB_CRASH;
const scheduler = new RecurringBuyScheduler(root.platform, root.trading.orders, env.RB_NAMESPACE ?? 'rb-test', {
  now: () => new Date(env.RB_NOW ?? Date.now()),
  userIds: (env.RB_USERS ?? '').split(',').filter(Boolean),
  hooks: { afterClaim: crash === 'after-claim' ? kill : undefined, afterOrder: crash === 'after-order' ? kill : undefined },
});
const total: SweepReport = { claimed: 0, recovered: 0, filled: 0, skipped: 0, deposed: false };
const add = (r: SweepReport) => {
  total.claimed += r.claimed;
  total.recovered += r.recovered;
  total.filled += r.filled;
  total.skipped += r.skipped;
  total.deposed ||= r.deposed;
};
process.stdout.write('READY\n');

const mode = env.RB_MODE ?? 'once';
const go = () => new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
if (mode === 'elect') {
  await go();
  const election = scheduler.election(Number(env.RB_INTERVAL_MS ?? 100), Number(env.RB_LOCK_TTL_MS ?? 600));
  election.start();
  const end = Date.now() + Number(env.RB_DURATION_MS ?? 3000);
  while (Date.now() < end) {
    if (scheduler.fencingToken !== null) add(await scheduler.sweep());
    await new Promise((r) => setTimeout(r, 50));
  }
  await election.stop();
} else if (mode === 'token') {
  await go();
  scheduler.adoptToken(Number(env.RB_TOKEN));
  for (let i = 0; i < Number(env.RB_SWEEPS ?? 5); i++) add(await scheduler.sweep());
} else {
  await scheduler.elect();
  add(await scheduler.sweep());
}
process.stdout.write(`REPORT ${JSON.stringify(total)}\n`);
await root.platform.close();
process.exit(0);
