import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RecurringBuyRequest } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credit } from '../../src/modules/ledger/index.ts';
import { bumpEpoch } from '../../src/modules/recurring/recurring.repo.ts';
import { RecurringBuysService } from '../../src/modules/recurring/recurring.service.ts';
import type { SweepReport } from '../../src/modules/recurring/scheduler.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { rows } from '../../src/platform/db/sql.ts';
import { sharedDatabase, usingPostgres, usingRedis } from '../helpers.ts';
import { insertUser } from '../users.ts';

// The recurring-buy scheduler in separate processes (scheduler-node.ts) against one real PostgreSQL and Redis:
// racing schedulers, a split brain, and processes killed in the middle of a run. Embedded mode has one process
// per database, so these run only with DATABASE_URL and REDIS_URL; scheduler.test.ts covers the same rules in
// one process in both modes.

interface Child {
  child: ChildProcess;
  out: () => string;
  ready: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'scheduler-node.ts')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scheduler process did not start: ${err}`)), 90_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => `${out}\n${err}`, ready, exit };
}

function reportOf(c: Child): SweepReport {
  const m = /REPORT (.+)/.exec(c.out());
  if (!m) throw new Error(`no report:\n${c.out()}`);
  return JSON.parse(m[1]!) as SweepReport;
}

const daily: RecurringBuyRequest = { assetId: 'BTC', quoteAmount: '20', frequency: 'daily', timeOfDay: '09:00' };

describe.skipIf(!usingPostgres || !usingRedis)('recurring-buy scheduler across processes (PostgreSQL + Redis)', () => {
  let database: Database;
  const service = (at: string) => new RecurringBuysService({ database }, () => new Date(at));

  beforeAll(async () => {
    database = await sharedDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  async function users(n: number, usd = '1000'): Promise<{ userId: string; scheduleId: string }[]> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const u = await insertUser(database);
      await database.db.transaction((tx) => credit(tx, { userId: u.id, asset: 'USD', amount: usd, reference: 'test:fund' }));
      const s = await service('2040-01-01T00:00:00Z').create(u.id, daily);
      out.push({ userId: u.id, scheduleId: s.id });
    }
    return out;
  }

  async function outcome(list: { userId: string; scheduleId: string }[]) {
    const ids = list.map((l) => l.userId);
    const runs = await rows<{ user_id: string; period: string; status: string; order_id: string | null }>(
      database.db,
      sql`select user_id, period, status, order_id from recurring_buy_runs where user_id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`,
    );
    const orders = await rows<{ user_id: string; id: string }>(
      database.db,
      sql`select user_id, id from orders where user_id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`,
    );
    return { runs, orders };
  }

  const base = (namespace: string, usersCsv: string, extra: Record<string, string>) => ({
    RB_NAMESPACE: namespace,
    RB_USERS: usersCsv,
    RB_NOW: '2040-01-01T09:00:30Z',
    ...extra,
  });

  it('two schedulers racing for leadership in two processes execute each period exactly once', async () => {
    const list = await users(6);
    const ns = `rb-${randomUUID().slice(0, 8)}`;
    const csv = list.map((l) => l.userId).join(',');
    const a = startChild(base(ns, csv, { RB_MODE: 'elect', RB_DURATION_MS: '3000', RB_INTERVAL_MS: '50', RB_LOCK_TTL_MS: '600' }));
    const b = startChild(base(ns, csv, { RB_MODE: 'elect', RB_DURATION_MS: '3000', RB_INTERVAL_MS: '50', RB_LOCK_TTL_MS: '600' }));
    await Promise.all([a.ready, b.ready]);
    a.child.stdin?.write('GO\n');
    b.child.stdin?.write('GO\n');
    expect((await a.exit).code, a.out()).toBe(0);
    expect((await b.exit).code, b.out()).toBe(0);
    const { runs, orders } = await outcome(list);
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === 'filled' && r.period === 'D2040-01-01')).toBe(true);
    expect(orders).toHaveLength(6);
    expect(new Set(orders.map((o) => o.user_id)).size).toBe(6);
    expect(reportOf(a).filled + reportOf(b).filled).toBe(6);
  }, 240_000);

  it('a split brain (two processes with the same fencing token sweeping at once) still buys each period once', async () => {
    const list = await users(10);
    const ns = `rb-${randomUUID().slice(0, 8)}`;
    const token = await bumpEpoch(database.db, `recurring-buys:${ns}`, 'test');
    const csv = list.map((l) => l.userId).join(',');
    const a = startChild(base(ns, csv, { RB_MODE: 'token', RB_TOKEN: String(token), RB_SWEEPS: '3' }));
    const b = startChild(base(ns, csv, { RB_MODE: 'token', RB_TOKEN: String(token), RB_SWEEPS: '3' }));
    await Promise.all([a.ready, b.ready]);
    a.child.stdin?.write('GO\n');
    b.child.stdin?.write('GO\n');
    expect((await a.exit).code, a.out()).toBe(0);
    expect((await b.exit).code, b.out()).toBe(0);
    const { runs, orders } = await outcome(list);
    expect(runs).toHaveLength(10);
    expect(runs.every((r) => r.status === 'filled')).toBe(true);
    expect(orders).toHaveLength(10);
    expect(new Set(runs.map((r) => r.order_id)).size).toBe(10);
    expect(reportOf(a).claimed + reportOf(b).claimed).toBe(10);
  }, 240_000);

  it('a process killed after the claim, and one killed after the order: the next leader makes exactly one order each', async () => {
    const [claimOnly] = await users(1);
    const [ordered] = await users(1);
    const ns = `rb-${randomUUID().slice(0, 8)}`;
    // One after the other: each 'once' process takes a new fencing token, so two at once race and the one whose token
    // is older stops, deposed, before it reaches its crash point (seen on a loaded machine).
    const a = startChild(base(ns, claimOnly!.userId, { RB_MODE: 'once', RB_CRASH: 'after-claim' }));
    expect((await a.exit).signal, a.out()).toBe('SIGKILL');
    const b = startChild(base(ns, ordered!.userId, { RB_MODE: 'once', RB_CRASH: 'after-order' }));
    expect((await b.exit).signal, b.out()).toBe('SIGKILL');
    let state = await outcome([claimOnly!, ordered!]);
    const runOf = (userId: string) => state.runs.find((r) => r.user_id === userId);
    expect(runOf(claimOnly!.userId)).toMatchObject({ status: 'pending', order_id: null });
    expect(runOf(ordered!.userId)).toMatchObject({ status: 'pending', order_id: null });
    expect(state.orders.map((o) => o.user_id)).toEqual([ordered!.userId]); // placed before the kill

    const c = startChild(base(ns, `${claimOnly!.userId},${ordered!.userId}`, { RB_MODE: 'once' }));
    expect((await c.exit).code, c.out()).toBe(0);
    expect(reportOf(c)).toMatchObject({ recovered: 2, filled: 2, claimed: 0 });
    state = await outcome([claimOnly!, ordered!]);
    expect(state.orders).toHaveLength(2);
    for (const u of [claimOnly!, ordered!]) {
      const order = state.orders.find((o) => o.user_id === u.userId);
      expect(runOf(u.userId)).toMatchObject({ status: 'filled', order_id: order!.id });
    }
  }, 240_000);
});
