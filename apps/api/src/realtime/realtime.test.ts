import type { ClientToServerEvents, PricesPayload, ServerToClientEvents } from '@cryptovault/contract';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified } from '../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../test/helpers.ts';
import { sampleAnnouncement, sampleOrder } from '../../test/realtime/payloads.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let ctx: TestContext;
let url: string;
const open: Client[] = [];

beforeAll(async () => {
  ctx = await createTestApp({ USE_MOCK_PRICES: 'true', APP_URL: 'https://app.example.test', PUBLIC_API_URL: 'https://app.example.test' });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = ctx.app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
});
afterAll(async () => {
  await ctx?.close();
});

function client(opts: Parameters<typeof connect>[1] = {}): Client {
  const s: Client = connect(url, { path: ctx.config.socketIoPath, reconnection: false, forceNew: true, timeout: 5000, ...opts });
  open.push(s);
  return s;
}

function connected(s: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (err) => reject(err));
  });
}

function refused(s: Client): Promise<Error> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => reject(new Error('connected, but should have been refused')));
    s.once('connect_error', (err) => resolve(err));
  });
}

function nextPrices(s: Client, timeoutMs = 2000): Promise<PricesPayload> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no prices within ${timeoutMs} ms`)), timeoutMs);
    s.once('prices', (p) => {
      clearTimeout(t);
      resolve(p);
    });
  });
}

function nextEvent(s: Client, event: 'order:update' | 'announcement', timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    s.once(event, (p: unknown) => {
      clearTimeout(t);
      resolve(p);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Socket.IO prices', () => {
  it('reaches a WebSocket client and a polling-only client, each batch fresh', async () => {
    const ws = client({ transports: ['websocket'] });
    const polling = client({ transports: ['polling'] });
    // The polling handshake is several HTTP round trips: on a loaded machine they, plus the wait for the next tick,
    // can pass 2 s. What the client gets is the point: a batch at most 1.5 s old.
    const [a, b] = await Promise.all([nextPrices(ws, 5000), nextPrices(polling, 5000)]);
    expect(ws.io.engine.transport.name).toBe('websocket');
    expect(polling.io.engine.transport.name).toBe('polling');
    for (const p of [a, b]) {
      expect(Object.keys(p.prices)).toHaveLength(20);
      expect(p.prices.bitcoin).toMatch(/^\d+\.\d+$/);
      expect(Date.now() - p.ts).toBeLessThan(1500);
    }
  });

  it('sends at most one batch per second of tick time, even with extra ticks in between', async () => {
    const s = client({ transports: ['websocket'] });
    await connected(s);
    const times: number[] = [];
    const from = Date.now();
    s.on('prices', (p) => times.push(p.ts));
    await sleep(300);
    for (const price of ['41000.5', '41001.5', '41002.5']) {
      await ctx.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: price } });
      await sleep(150);
    }
    await sleep(2800);
    expect(times.length).toBeGreaterThanOrEqual(2);
    // At most one per whole second the listener was on (about 3.75 s, longer when the requests are slow).
    expect(times.length).toBeLessThanOrEqual(Math.floor((Date.now() - from) / 1000) + 1);
    // Paced by the ticks' server timestamps (arrival times jitter with the machine's load).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('subscribe narrows the feed, acknowledges with current prices; unsubscribe removes', async () => {
    const s = client({ transports: ['websocket'] });
    await connected(s);
    const ack = await s.emitWithAck('subscribe', { assets: ['BTC', 'ethereum'] });
    expect(ack).toMatchObject({ ok: true, assets: ['bitcoin', 'ethereum'] });
    if (!ack.ok) throw new Error('not ok');
    expect(Object.keys(ack.prices).sort()).toEqual(['bitcoin', 'ethereum']);
    for (let i = 0; i < 2; i++) expect(Object.keys((await nextPrices(s)).prices).sort()).toEqual(['bitcoin', 'ethereum']);

    const un = await s.emitWithAck('unsubscribe', { assets: ['eth'] });
    expect(un).toMatchObject({ ok: true, assets: ['bitcoin'] });
    expect(Object.keys((await nextPrices(s)).prices)).toEqual(['bitcoin']);
  });

  it('an invalid subscribe gets an error ack and the connection stays', async () => {
    const s = client({ transports: ['websocket'] });
    await connected(s);
    const bad = await s.emitWithAck('subscribe', { assets: 'BTC' } as unknown as { assets: string[] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', details: [{ path: ['assets'], message: 'must be a list' }] } });
    const unknown = await s.emitWithAck('subscribe', { assets: ['BTC', 'NOPE'] });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', details: { unknown: ['NOPE'] } } });
    // No ack callback at all must not break anything either.
    s.emit('subscribe', { assets: [] });
    expect(s.connected).toBe(true);
    // Still connected, still on the full feed.
    expect(Object.keys((await nextPrices(s)).prices)).toHaveLength(20);
  });
});

describe('Socket.IO handshakes', () => {
  it('refuses a foreign Origin (WebSocket and polling) and accepts the web app origin', async () => {
    await refused(client({ transports: ['websocket'], extraHeaders: { origin: 'https://evil.example' } }));
    await refused(client({ transports: ['polling'], extraHeaders: { origin: 'https://evil.example' } }));
    const ok = client({ transports: ['websocket'], extraHeaders: { origin: 'https://app.example.test' } });
    await connected(ok);
  });

  it("accepts the page's own origin at 127.0.0.1 although APP_URL names another host (WebSocket and polling), and only that", async () => {
    // The page was opened at http://127.0.0.1:<port>: its Origin is the request's own scheme and Host.
    for (const transport of ['websocket', 'polling'] as const) {
      await connected(client({ transports: [transport], extraHeaders: { origin: url } }));
    }
    // Another port, another scheme, another host: not this request's origin, and not in the rules.
    const port = new URL(url).port;
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, `https://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      await refused(client({ transports: ['polling'], extraHeaders: { origin } }));
    }
  });

  it('anonymous sockets get public data only; cookie and socket-token sockets get their user events', async () => {
    const alice = await signUpVerified(ctx);
    const bob = await signUpVerified(ctx);
    const anon = client({ transports: ['websocket'] });
    const byCookie = client({ transports: ['websocket'], extraHeaders: { cookie: `access_token=${alice.accessToken}` } });
    const tokenRes = await asUser(ctx, alice).inject({ method: 'POST', url: '/api/auth/socket-token' });
    expect(tokenRes.statusCode).toBe(200);
    const byToken = client({ transports: ['polling'], auth: { token: tokenRes.json().token } });
    const bobSocket = client({ transports: ['websocket'], extraHeaders: { cookie: `access_token=${bob.accessToken}` } });
    await Promise.all([anon, byCookie, byToken, bobSocket].map(connected));

    const got: string[] = [];
    anon.on('order:update', () => got.push('anon'));
    bobSocket.on('order:update', () => got.push('bob'));
    const both = Promise.all([nextEvent(byCookie, 'order:update'), nextEvent(byToken, 'order:update')]);
    const order = sampleOrder({ id: 'o-1' });
    ctx.platform.realtime.toUser(alice.user.id, 'order:update', order);
    expect(await both).toEqual([order, order]);
    await sleep(200);
    expect(got).toEqual([]);

    const all = Promise.all([anon, bobSocket, byCookie].map((s) => nextEvent(s, 'announcement')));
    ctx.platform.realtime.broadcast('announcement', sampleAnnouncement());
    expect(await all).toHaveLength(3);
  });

  it('a socket token that does not work is refused; a stale cookie just means anonymous', async () => {
    const err = await refused(client({ transports: ['websocket'], auth: { token: 'not-a-token' } }));
    expect(err.message).toBe('UNAUTHENTICATED');
    const stale = client({ transports: ['websocket'], extraHeaders: { cookie: 'access_token=expired.or.forged' } });
    await connected(stale);
  });
});
