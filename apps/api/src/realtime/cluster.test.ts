import { randomUUID } from 'node:crypto';
import type { ClientToServerEvents, PricesPayload, ServerToClientEvents } from '@cryptovault/contract';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../test/prices.ts';
import { type Machine, polls, startMachine } from '../../test/realtime/cluster.ts';
import { sampleOrder } from '../../test/realtime/payloads.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Two server processes sharing one real Redis, as two Fly machines of one app. */
describe.skipIf(!process.env.REDIS_URL)('several machines sharing Redis', () => {
  const app = `cv-cluster-${randomUUID().slice(0, 8)}`;
  const machines: Machine[] = [];
  const clients: Client[] = [];
  let a: Machine;
  let b: Machine;

  beforeAll(async () => {
    const env = { FLY_APP_NAME: app, USE_MOCK_PRICES: 'true', TEST_PGLITE_TEMPLATE: inject('pgliteTemplate') ?? undefined };
    [a, b] = await Promise.all([startMachine('m1a', env), startMachine('m2b', env)]);
    machines.push(a, b);
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(machines.map((m) => m.stop('SIGKILL')));
  });

  function client(m: Machine, auth: Record<string, string> = {}): Client {
    const c: Client = connect(m.url, { transports: ['websocket'], forceNew: true, auth });
    clients.push(c);
    return c;
  }

  function record(c: Client): PricesPayload[] {
    const seen: PricesPayload[] = [];
    c.on('prices', (p) => seen.push(p));
    return seen;
  }

  it('elects exactly one poller, and its ticks reach clients on both machines', async () => {
    await waitFor(async () => (await polls(a)) !== (await polls(b)), 15_000);
    const onA = record(client(a));
    const onB = record(client(b));
    // The market ticks every second; the bound is generous because two child processes on a loaded 2-core CI
    // machine (the Node 26 pass, other files running beside) once took more than 10 s to deliver three.
    await waitFor(() => onA.length >= 3 && onB.length >= 3, 30_000);
    // The same ticks (same server timestamp, same prices) on both machines: one feed, fanned out.
    const common = onA.filter((p) => onB.some((q) => q.ts === p.ts));
    expect(common.length).toBeGreaterThanOrEqual(2);
    for (const p of common) expect(onB.find((q) => q.ts === p.ts)!.prices).toEqual(p.prices);
  }, 60_000);

  it('a user event emitted on one machine reaches the user connected to the other', async () => {
    const user = `u-${randomUUID()}`;
    const onB = client(b, { token: `user:${user}` });
    const stranger = client(a, { token: 'user:someone-else' });
    await waitFor(() => onB.connected && stranger.connected, 10_000);
    const got = new Promise<unknown>((resolve) => onB.once('order:update', resolve));
    let strangerGot = false;
    stranger.on('order:update', () => {
      strangerGot = true;
    });
    const order = sampleOrder({ id: 'o-42' });
    const res = await fetch(`${a.url}/test/order-update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: user, order }),
    });
    expect(res.status).toBe(200);
    expect(await got).toEqual(order);
    await new Promise((r) => setTimeout(r, 300));
    expect(strangerGot).toBe(false);
  }, 30_000);

  it('a dev price set on one machine reaches clients on the other', async () => {
    const onA = record(client(a));
    await waitFor(() => onA.length >= 1, 5000);
    const res = await fetch(`${b.url}/api/dev/market/ethereum`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ priceUsd: '1234.56' }),
    });
    expect(res.status).toBe(200);
    await waitFor(() => onA.some((p) => p.prices.ethereum === '1234.56'), 5000);
    const aAsset = (await (await fetch(`${a.url}/api/crypto/ETH`)).json()) as { priceUsd: string };
    expect(aAsset.priceUsd, JSON.stringify(aAsset)).toBe('1234.56');
  }, 30_000);

  it('killing the poller hands polling to the other machine within seconds', async () => {
    const leader = (await polls(a)) ? a : b;
    const survivor = leader === a ? b : a;
    const seen = record(client(survivor));
    await waitFor(() => seen.length >= 1, 5000);
    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => polls(survivor), 15_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(10_000);
    const before = seen.length;
    await waitFor(() => seen.length >= before + 2, 5000);
    expect(seen.at(-1)!.ts).toBeGreaterThan(killedAt);
    const health = (await (await fetch(`${survivor.url}/health`)).json()) as { checks: { prices: { status: string } } };
    expect(health.checks.prices.status).toBe('ok');
  }, 40_000);
});
