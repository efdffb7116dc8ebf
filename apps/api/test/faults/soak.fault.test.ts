import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Database } from '../../src/platform/db/client.ts';
import { type ServerProcess, startServerProcess } from '../deploy/server-process.ts';
import { faultDatabase, SHARED_SECRETS, signUpOverHttp } from './api.ts';
import { expectOrdersWhole, expectReconciled, fund, openDatabase } from './checks.ts';
import { sleep } from './infra.ts';
import { countBy, orderClients, type Req, request, runLoad } from './load.ts';

/**
 * A bounded mixed soak against one server process: orders, reads, alerts created and deleted, sockets coming and
 * going. SOAK_SECONDS sets the length (60 by default; `SOAK_SECONDS=300 npm run test:faults` is the 5-minute run).
 * At the end the books reconcile, every order is whole, nothing answered 5xx, and RSS shows no growth trend.
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
let server: ServerProcess;
let check: Database | null = null;
const sockets = new Set<Socket>();

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/**
 * RSS is a sawtooth (the heap grows until a major GC), so the trend is read from its troughs: the lowest sample
 * of each third of the window. Growth = last trough − first trough.
 */
function troughGrowth(points: [number, number][]): { troughs: number[]; growth: number } {
  const third = Math.ceil(points.length / 3);
  const troughs = [0, 1, 2].map((k) => Math.min(...points.slice(k * third, (k + 1) * third).map(([, r]) => r)));
  return { troughs, growth: (troughs[2] ?? 0) - (troughs[0] ?? 0) };
}

beforeAll(async () => {
  const { url } = await faultDatabase('soak');
  // A capped old space (as on a small machine) makes major GCs frequent enough for troughs to show within a minute.
  server = await startServerProcess(
    { DATABASE_URL: url, REDIS_URL: inject('faultRedisUrl'), ...SHARED_SECRETS, LOG_LEVEL: 'warn', NODE_OPTIONS: '--max-old-space-size=192' },
    { timeoutMs: 150_000 },
  );
  check = await openDatabase(url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop('SIGTERM');
  await check?.close();
});

it(
  `soaks for ${SOAK_SECONDS} s with the books reconciled and no RSS growth trend`,
  async () => {
    const ms = SOAK_SECONDS * 1000;
    const users = [await signUpOverHttp(server.url), await signUpOverHttp(server.url)];
    for (const u of users) await fund(check!, u.id, { USD: '10000000', BTC: '1000' });
    const auth = (i: number) => ({ authorization: `Bearer ${users[i % 2]!.accessToken}` });

    const mix = (i: number): Req => {
      switch (i % 6) {
        case 0:
          return { what: 'crypto', path: '/api/crypto' };
        case 1:
          return { what: 'balances', path: '/api/wallet/balances', headers: auth(i) };
        case 2:
          return { what: 'portfolio', path: '/api/portfolio', headers: auth(i) };
        case 3:
          return { what: 'transactions', path: '/api/transactions?limit=20', headers: auth(i) };
        case 4:
          return { what: 'orders', path: '/api/orders?limit=20', headers: auth(i) };
        default:
          return {
            what: 'alert',
            method: 'POST',
            path: '/api/alerts',
            headers: auth(i),
            body: { assetId: 'bitcoin', condition: 'above', targetPrice: '10000000' },
          };
      }
    };
    const orders = orderClients(
      () => server.url,
      users.map((u) => u.accessToken),
      { maxMs: ms, maxOrders: 1_000_000 },
    );
    const reads = runLoad(server.url, mix, { workers: 3, maxMs: ms, maxRequests: 1_000_000, pauseMs: 5 });

    const samples: [number, number][] = [];
    const t0 = Date.now();
    let alertsDeleted = 0;
    while (Date.now() - t0 < ms) {
      samples.push([(Date.now() - t0) / 1000, rssBytes(server.child.pid!)]);
      // Sockets come and go: five open at a time, one replaced every round.
      const s = io(server.url, { transports: ['websocket'], forceNew: true });
      sockets.add(s);
      if (sockets.size > 5) {
        const oldest = sockets.values().next().value as Socket;
        oldest.disconnect();
        sockets.delete(oldest);
      }
      // Alerts are capped per user: delete what the load created so the cap is never the story.
      for (const [i] of users.entries()) {
        const list = await request(server.url, { what: 'alerts', path: '/api/alerts', headers: auth(i) });
        for (const a of (JSON.parse(list.body ?? '{}').items ?? []) as { id: string }[]) {
          await request(server.url, { what: 'alert-delete', method: 'DELETE', path: `/api/alerts/${a.id}`, headers: auth(i) });
          alertsDeleted++;
        }
      }
      await sleep(1_000);
    }
    await Promise.all([orders.stop(), reads.stop()]);

    const outcomes = [...reads.outcomes, ...orders.ledger.attempts];
    const bad = outcomes.filter((o) => o.status === null || o.status >= 500);
    // Growth is judged after a warm-up (JIT, pools and caches filling): the first third, at least 10 s.
    const warm = Math.max(10, SOAK_SECONDS / 3);
    const after = samples.filter(([t]) => t >= warm);
    const mb = (b: number) => Math.round(b / 1024 / 1024);
    const median = [...after.map(([, r]) => r)].sort((x, y) => x - y)[Math.floor(after.length / 2)] ?? 0;
    const { troughs, growth } = troughGrowth(after);
    console.log(
      `soak ${SOAK_SECONDS} s: ${outcomes.length} requests (${Math.round(outcomes.length / SOAK_SECONDS)}/s), ${orders.ledger.results.size} orders, ${alertsDeleted} alerts deleted;`,
      countBy(outcomes, (o) => `${o.what}:${o.status ?? o.error}`),
      `; RSS MB at ${samples.map(([t, r]) => `${Math.round(t)}s=${mb(r)}`).join(' ')}; troughs after warm-up ${troughs.map(mb).join(' → ')} MB (growth ${mb(growth)} MB over ${Math.round(SOAK_SECONDS - warm)} s)`,
    );
    expect(bad.slice(0, 5)).toEqual([]);
    expect(orders.ledger.results.size).toBeGreaterThan(10);
    // No growth trend: the troughs rise less than 10% of the median RSS (at least 16 MB) over the window.
    expect(mb(growth)).toBeLessThan(Math.max(16, mb(median) * 0.1));
    await expectOrdersWhole(
      check!,
      users.map((u) => u.id),
      orders.ledger,
    );
    await expectReconciled(check!);
  },
  (SOAK_SECONDS + 180) * 1000,
);
