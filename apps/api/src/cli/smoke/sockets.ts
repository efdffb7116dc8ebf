import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { io } from 'socket.io-client';

/** The raw WebSocket handshake Engine.IO expects; a proxy that passes upgrades answers 101. */
export function websocketUpgrade(base: string, path: string, origin: string | undefined, timeoutMs: number): Promise<{ status: number; detail: string }> {
  const u = new URL(`${path.replace(/\/?$/, '/')}?EIO=4&transport=websocket`, base);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(u, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'user-agent': 'cryptovault-smoke',
        ...(origin ? { origin } : {}),
      },
      timeout: timeoutMs,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, detail: `${res.statusCode} ${res.statusMessage ?? ''}`.trim() });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, detail: `${res.statusCode} ${res.statusMessage ?? ''} (no upgrade)`.trim() });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 0, detail: err.message }));
    req.end();
  });
}

export interface PricesResult {
  ok: boolean;
  events: number;
  /** ms from connect() to the first `prices` event. */
  firstMs: number | null;
  transport: string | null;
  error: string | null;
}

/**
 * Connects with exactly one transport (no upgrade) and waits for `count` `prices` events — with polling, each
 * event arrives on its own long-poll request, so a lost session (no sticky routing across machines) shows up.
 */
export function socketPrices(
  base: string,
  path: string,
  transport: 'websocket' | 'polling',
  opts: { origin?: string | undefined; cookie?: string | undefined; timeoutMs: number; count: number },
): Promise<PricesResult> {
  const started = performance.now();
  const extraHeaders: Record<string, string> = { 'user-agent': 'cryptovault-smoke' };
  if (opts.origin) extraHeaders.origin = opts.origin;
  if (opts.cookie) extraHeaders.cookie = opts.cookie;
  const socket = io(base, {
    path,
    transports: [transport],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    timeout: opts.timeoutMs,
    extraHeaders,
  });
  return new Promise((resolve) => {
    let events = 0;
    let firstMs: number | null = null;
    const finish = (error: string | null) => {
      clearTimeout(timer);
      const used = socket.io.engine?.transport?.name ?? null;
      socket.removeAllListeners();
      socket.disconnect();
      resolve({ ok: error === null, events, firstMs, transport: used, error });
    };
    const timer = setTimeout(() => finish(`${events} of ${opts.count} prices events within ${opts.timeoutMs} ms`), opts.timeoutMs);
    socket.on('prices', () => {
      events += 1;
      firstMs ??= Math.round(performance.now() - started);
      if (events >= opts.count) finish(null);
    });
    socket.on('connect_error', (err) => finish(`connect error: ${err.message}`));
    socket.on('disconnect', (reason) => finish(`disconnected after ${events} events: ${reason}`));
  });
}
