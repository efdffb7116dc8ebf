import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createRealtime, type Realtime } from './socket.ts';

interface Stand {
  http: HttpServer;
  io: Server;
  url: string;
  subscribes: string[][];
  tokens: (string | undefined)[];
}

/** A real Socket.IO server standing in for the API's realtime layer. */
async function stand(opts: { transports?: ('websocket' | 'polling')[]; port?: number } = {}): Promise<Stand> {
  const http = createServer();
  const io = new Server(http, { transports: opts.transports ?? ['polling', 'websocket'], cors: { origin: true, credentials: true } });
  const subscribes: string[][] = [];
  const tokens: (string | undefined)[] = [];
  io.on('connection', (s) => {
    tokens.push((s.handshake.auth as { token?: string }).token);
    s.on('subscribe', (p: { assets: string[] }, ack?: (r: unknown) => void) => {
      subscribes.push(p.assets);
      ack?.({ ok: true, assets: p.assets, prices: Object.fromEntries(p.assets.map((a) => [a, '99.5'])) });
      s.emit('prices', { ts: Date.now(), prices: Object.fromEntries(p.assets.map((a) => [a, '100.5'])) });
    });
  });
  http.listen(opts.port ?? 0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { http, io, url, subscribes, tokens };
}

const opened: (Realtime | Stand)[] = [];
afterEach(async () => {
  for (const x of opened.splice(0)) {
    if ('close' in x) x.close();
    else {
      x.io.close();
      x.http.closeAllConnections();
    }
  }
});

function waitFor(pred: () => boolean, ms = 8_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => (pred() ? resolve() : Date.now() - started > ms ? reject(new Error('timed out')) : setTimeout(tick, 20));
    tick();
  });
}

describe('socket', () => {
  it('connects over WebSocket, subscribes, and delivers events to handlers', async () => {
    const s = await stand();
    const rt = createRealtime({ url: '', path: '/socket.io/', pageOrigin: s.url });
    opened.push(s, rt);
    const prices: unknown[] = [];
    rt.on('prices', (p) => prices.push(p));
    rt.subscribe(['bitcoin', 'ethereum']);
    rt.connect();
    await waitFor(() => prices.length > 0);
    expect(rt.transport()).toBe('websocket');
    expect(s.subscribes).toEqual([['bitcoin', 'ethereum']]);
    // The subscribe acknowledgement's prices come first, then the pushed batch.
    await waitFor(() => prices.length >= 2);
    expect(prices[0]).toMatchObject({ prices: { bitcoin: '99.5', ethereum: '99.5' } });
    expect(prices[1]).toMatchObject({ prices: { bitcoin: '100.5', ethereum: '100.5' } });
    expect(s.tokens).toEqual([undefined]);
  });

  it('falls back to long-polling when WebSocket is refused', async () => {
    const s = await stand({ transports: ['polling'] });
    const rt = createRealtime({ url: '', path: '/socket.io/', pageOrigin: s.url });
    opened.push(s, rt);
    rt.subscribe(['bitcoin']);
    rt.connect();
    await waitFor(() => rt.status() === 'connected');
    expect(rt.transport()).toBe('polling');
    await waitFor(() => s.subscribes.length === 1);
  });

  it('settles on long-polling when a proxy accepts WebSocket upgrades and then drops them', async () => {
    const s = await stand({ transports: ['polling'] });
    // Replace Engine.IO's upgrade handling with a "proxy" that completes the upgrade and closes at once.
    const wss = new WebSocketServer({ noServer: true });
    s.http.removeAllListeners('upgrade');
    s.http.on('upgrade', (req, sock, head) => wss.handleUpgrade(req, sock, head, (ws) => ws.close()));
    const rt = createRealtime({ url: '', path: '/socket.io/', pageOrigin: s.url, fallbackAfterMs: 1_500 });
    opened.push(s, rt);
    rt.subscribe(['bitcoin']);
    rt.connect();
    await waitFor(() => rt.status() === 'connected', 15_000);
    expect(rt.transport()).toBe('polling');
    await waitFor(() => s.subscribes.length === 1);
    wss.close();
  }, 20_000);

  it('resubscribes to every live subscription after the server drops it', async () => {
    const s = await stand();
    const rt = createRealtime({ url: '', path: '/socket.io/', pageOrigin: s.url });
    opened.push(s, rt);
    const off = rt.subscribe(['bitcoin']);
    rt.subscribe(['solana']);
    rt.connect();
    await waitFor(() => s.subscribes.length === 1);
    off();
    await waitFor(() => rt.subscribedAssets().length === 1);
    s.io.disconnectSockets(true);
    await waitFor(() => s.subscribes.length === 2);
    expect(s.subscribes[1]).toEqual(['solana']);
  });

  it('ref-counts subscriptions: unsubscribe only when the last subscriber leaves', async () => {
    const s = await stand();
    const unsubscribed: string[][] = [];
    s.io.on('connection', (sock) => sock.on('unsubscribe', (p: { assets: string[] }) => unsubscribed.push(p.assets)));
    const rt = createRealtime({ url: '', path: '/socket.io/', pageOrigin: s.url });
    opened.push(s, rt);
    rt.connect();
    await waitFor(() => rt.status() === 'connected');
    const a = rt.subscribe(['bitcoin']);
    const b = rt.subscribe(['bitcoin']);
    a();
    b();
    await waitFor(() => unsubscribed.length === 1);
    expect(unsubscribed).toEqual([['bitcoin']]);
  });

  it('authenticates with a socket token when the socket is on another origin', async () => {
    const s = await stand();
    const rt = createRealtime({ url: s.url, path: '/socket.io/', pageOrigin: 'https://app.example.com', getSocketToken: async () => 'sock-tok' });
    opened.push(s, rt);
    rt.connect();
    await waitFor(() => rt.status() === 'connected');
    expect(s.tokens).toEqual(['sock-tok']);
  });

  it('falls back to polling on the page origin when the socket origin is unreachable', async () => {
    const page = await stand();
    const rt = createRealtime({ url: 'http://127.0.0.1:9', path: '/socket.io/', pageOrigin: page.url, getSocketToken: async () => 'tok' });
    opened.push(page, rt);
    rt.connect();
    await waitFor(() => rt.status() === 'connected', 15_000);
    expect(rt.transport()).toBe('polling');
    // Same origin: the cookie authenticates, so no token is sent there.
    expect(page.tokens).toEqual([undefined]);
  }, 20_000);
});
