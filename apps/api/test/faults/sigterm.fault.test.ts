import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Database } from '../../src/platform/db/client.ts';
import { type ServerProcess, startServerProcess } from '../deploy/server-process.ts';
import { faultDatabase, SHARED_SECRETS, signUpOverHttp } from './api.ts';
import { expectOrdersWhole, expectReconciled, fund, openDatabase } from './checks.ts';
import { FailoverProxy, freePort, sleep, until } from './infra.ts';
import { countBy, orderClients, runLoad } from './load.ts';

/**
 * Two server processes behind a failover proxy, sharing PostgreSQL and Redis. SIGTERM to one under mixed load
 * (orders, reads, sockets): requests it had in flight complete, it exits 0, socket clients reconnect to the other,
 * and every order exists exactly once.
 */
let a: ServerProcess;
let b: ServerProcess;
let proxy: FailoverProxy;
let check: Database | null = null;
const sockets: Socket[] = [];

beforeAll(async () => {
  const { url } = await faultDatabase('sigterm');
  const env = { DATABASE_URL: url, REDIS_URL: inject('faultRedisUrl'), ...SHARED_SECRETS, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '20000' };
  // One at a time: both would otherwise race to apply the migrations.
  a = await startServerProcess(env, { timeoutMs: 150_000 });
  b = await startServerProcess(env, { timeoutMs: 150_000 });
  proxy = new FailoverProxy(await freePort(), [a.port, b.port]);
  await proxy.start();
  check = await openDatabase(url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await proxy?.stop();
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
  await check?.close();
});

it('drains one instance under load without losing requests, sockets or orders', async () => {
  const base = `http://127.0.0.1:${proxy.port}`;
  const users = [await signUpOverHttp(a.url), await signUpOverHttp(a.url)];
  for (const u of users) await fund(check!, u.id, { USD: '1000000', BTC: '100' });

  const connects: number[] = [];
  const events: string[] = [];
  const pricesAfterReconnect: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    const s = io(base, { transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1_000 });
    connects.push(0);
    pricesAfterReconnect.push(false);
    s.on('connect', () => {
      connects[i]! += 1;
    });
    s.on('disconnect', (reason) => {
      events.push(`${i} disconnect ${reason}`);
      // A draining server disconnects its sockets itself, which Socket.IO does not retry on its own: clients
      // reconnect as the web app's does (apps/web/src/lib/socket.ts).
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 200);
    });
    s.on('connect_error', (err) => events.push(`${i} connect_error ${err.message}`));
    s.io.on('reconnect_attempt', (n) => events.push(`${i} reconnect_attempt ${n}`));
    s.on('prices', () => {
      if (connects[i]! >= 2) pricesAfterReconnect[i] = true;
    });
    sockets.push(s);
  }
  await until('sockets connected', () => connects.every((c) => c >= 1), 30_000);

  const tokens = users.flatMap((u) => [u.accessToken, u.accessToken]);
  const orders = orderClients(() => base, tokens, { maxMs: 90_000, maxOrders: 2_000 });
  const reads = runLoad(
    base,
    (i) =>
      i % 2
        ? { what: 'crypto', path: '/api/crypto' }
        : { what: 'balances', path: '/api/wallet/balances', headers: { authorization: `Bearer ${users[0]!.accessToken}` } },
    { workers: 3, maxMs: 90_000, maxRequests: 20_000, pauseMs: 5 },
  );
  await sleep(3_000);

  const killAt = Date.now();
  const exit = a.stop('SIGTERM');
  const code = await exit;
  const exitedAfterMs = Date.now() - killAt;
  const state = () =>
    `connects ${connects.join(',')}; prices after reconnect ${pricesAfterReconnect.map(Number).join(',')}; events ${events.slice(-20).join(' | ')}`;
  await until('every socket reconnected', () => connects.every((c) => c >= 2), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${state()}`);
  });
  await until('prices on every reconnected socket', () => pricesAfterReconnect.every(Boolean), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${state()}`);
  });
  await sleep(2_000);
  await Promise.all([orders.stop(), reads.stop()]);

  const all = [...reads.outcomes, ...orders.ledger.attempts];
  const inFlight = all.filter((o) => o.at < killAt - 50 && o.endedAt > killAt);
  const failedInFlight = inFlight.filter((o) => o.status === null || o.status >= 500);
  const afterKill = all.filter((o) => o.at >= killAt);
  console.log(
    `sigterm: exit ${code} ${exitedAfterMs} ms after SIGTERM; ${all.length} requests, ${inFlight.length} in flight at the signal;`,
    'after the signal:',
    countBy(afterKill, (o) => String(o.status ?? o.error)),
    `; ${orders.ledger.results.size} orders; socket connects`,
    connects,
  );
  expect(code).toBe(0);
  expect(failedInFlight).toEqual([]);
  expect(afterKill.filter((o) => o.status === 200 || o.status === 201).length).toBeGreaterThan(0);
  await expectOrdersWhole(
    check!,
    users.map((u) => u.id),
    orders.ledger,
  );
  await expectReconciled(check!);
});
