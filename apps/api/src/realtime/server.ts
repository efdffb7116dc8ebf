import type { Server as HttpServer } from 'node:http';
import { SOCKET_ERRORS } from '@cryptovault/contract';
import { Gauge } from 'prom-client';
import { Server } from 'socket.io';
import { originAllowed } from '../platform/cors-origins.ts';
import { originAllowedFor, servedHosts } from '../platform/same-origin.ts';
import type { Platform } from '../platform/index.ts';
import type { Authenticator } from '../platform/principal.ts';
import { apiIpRule, type RateResult } from '../platform/ratelimit.ts';
import { clusterNamespace } from './namespace.ts';
import { PriceFanout } from './price-fanout.ts';
import { guardRejections } from './redis-guard.ts';
import { installFlyReplay } from './sticky.ts';
import { type IoServer, send } from './types.ts';

export interface Realtime {
  io: IoServer;
  close(): Promise<void>;
}

/** A Redis stream read blocks this long; the connection's command timeout must be longer. */
const STREAM_BLOCK_MS = 1_000;

/**
 * Socket.IO on the API's HTTP server. Public market data for everyone; authenticated sockets also join
 * `user:<id>` and `session:<id>` (disconnected when that session is revoked, on every machine). The typed port
 * `platform.realtime` (`toUser`, `broadcast`) is the only way other modules reach browsers; with Redis its messages
 * travel to every machine through the Redis Streams adapter, which also keeps sessions for connection state
 * recovery across machines.
 */
export async function startRealtime(platform: Platform, authenticator: Authenticator, httpServer: HttpServer): Promise<Realtime> {
  const { config, log } = platform;
  const handshakeRule = apiIpRule(config.rateLimitPerMinute);
  const served = servedHosts(config);
  const io: IoServer = new Server(httpServer, {
    path: config.socketIoPath,
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 64 * 1024,
    cookie: false,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    // CORS headers for cross-origin pages the rules allow; a same-origin page needs none (allowRequest admits it).
    cors: { origin: (origin, cb) => cb(null, origin !== undefined && originAllowed(origin, config.cors.rules)), credentials: true },
    // Browsers always send Origin on WebSocket handshakes: refuse pages that CORS would refuse (cross-site
    // WebSocket hijacking with the user's cookie), except the page's own origin (platform/same-origin.ts: Origin
    // equal to this request's scheme and Host). Clients without Origin (servers, tests) are not browsers.
    allowRequest: (req, cb) => {
      if (platform.draining) return cb('draining', false);
      const origin = req.headers.origin;
      if (origin && !originAllowedFor(origin, req, config, served)) return cb('origin not allowed', false);
      // A new connection counts against its caller's per-address API budget, the caller decided as for request.ip.
      const decide = (r: RateResult) => (r.allowed ? cb(null, true) : cb('rate limited', false));
      const verdict = platform.rateLimiter.checkCoalesced(handshakeRule, platform.clientAddress(req).ip);
      if (verdict instanceof Promise) verdict.then(decide, () => cb(null, true));
      else decide(verdict);
    },
  });

  const streamClient = platform.newRedisConnection('socket.io', { enableOfflineQueue: true, commandTimeout: STREAM_BLOCK_MS * 3 });
  if (streamClient) {
    const { createAdapter } = await import('@socket.io/redis-streams-adapter');
    const ns = `cv:${clusterNamespace(platform)}:sio`;
    const guarded = guardRejections(streamClient, (err) => log.debug({ err }, 'socket.io adapter: redis command failed'));
    io.adapter(createAdapter(guarded, { streamName: ns, channelPrefix: ns, sessionKeyPrefix: `${ns}:session:`, blockTimeInMs: STREAM_BLOCK_MS }));
  }
  if (config.fly.machineId) {
    installFlyReplay(io, config.fly.machineId, (target) => log.debug({ target }, 'socket.io request replayed to its machine'));
  }

  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    const token = typeof auth?.token === 'string' ? auth.token : undefined;
    try {
      const principal = await authenticator.authenticateSocket({ cookieHeader: socket.handshake.headers.cookie, token });
      // An explicit token that does not work is an error the client must see (refresh it); a stale cookie
      // just means anonymous, so public prices keep flowing.
      if (!principal && token) return next(new Error(SOCKET_ERRORS.unauthenticated));
      socket.data.userId = principal?.userId ?? null;
      socket.data.sessionId = principal?.sessionId ?? null;
      next();
    } catch (err) {
      log.warn({ err }, 'socket authentication failed');
      next(new Error('UNAVAILABLE'));
    }
  });

  const fanout = new PriceFanout(io, platform.prices);
  io.on('connection', (socket) => {
    // Engine.IO keeps the first HTTP request of every session for its lifetime; the handshake above has taken
    // what it needs (its headers object stays on socket.handshake), so let the request and its parser state go
    // (Socket.IO's documented memory tip: a few kB per connection, tens of MB at 10k).
    (socket.conn as { request: unknown }).request = null;
    const own = socket.data.userId ? `user:${socket.data.userId}` : null;
    const session = socket.data.userId && socket.data.sessionId ? `session:${socket.data.sessionId}` : null;
    // A recovered session brings back its rooms: drop user and session rooms that this handshake no longer proves.
    for (const r of socket.rooms) if ((r.startsWith('user:') && r !== own) || (r.startsWith('session:') && r !== session)) void socket.leave(r);
    if (own) void socket.join(own);
    if (session) void socket.join(session);
    socket.data.assets ??= null;
    fanout.attach(socket);
    socket.on('subscribe', (payload, ack) => fanout.handle(socket, 'subscribe', payload, ack));
    socket.on('unsubscribe', (payload, ack) => fanout.handle(socket, 'unsubscribe', payload, ack));
  });

  const offs = [
    platform.events.on('price.tick', (tick) => fanout.onTick(tick)),
    // The port's messages, typed by the contract all the way to Socket.IO's typed emit.
    platform.realtime.attach({
      toUser: (userId, event, payload) => send[event](io.to(`user:${userId}`), payload),
      broadcast: (event, payload) => send[event](io, payload),
    }),
    // A revoked session's sockets are disconnected on every machine (the adapter carries disconnectSockets over
    // Redis), so no private event reaches a browser or client that has signed out or been signed out.
    platform.events.on('session.revoked', ({ sessionIds }) => {
      io.in(sessionIds.map((id) => `session:${id}`)).disconnectSockets(true);
    }),
  ];

  new Gauge({
    name: 'socketio_connected_clients',
    help: 'Socket.IO connections on this machine',
    registers: [platform.metrics.registry],
    collect() {
      this.set(io.engine.clientsCount);
    },
  });

  let closed = false;
  return {
    io,
    async close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      fanout.stop();
      // Not io.close(): that would also close the HTTP server, which Fastify closes itself.
      io.local.disconnectSockets(true);
      await io.of('/').adapter.close();
      io.engine.close();
    },
  };
}
