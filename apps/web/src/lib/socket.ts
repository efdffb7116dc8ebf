import type { ClientEvent, ClientEventMap, ClientToServerEvents, ServerToClientEvents } from '@cryptovault/contract';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { backoffDelay } from './backoff.ts';

export type SocketStatus = 'idle' | 'connecting' | 'connected' | 'disconnected';
/** The app's socket, typed by the contract's event maps. */
export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** A handler of one server→client event; its payload type comes from the contract (`ClientEventMap`). */
export type Handler<E extends ClientEvent> = (payload: ClientEventMap[E]) => void;

/** One server→client event: the app's handlers of it, and how a socket delivers it to them. */
interface Channel<E extends ClientEvent> {
  handlers: Set<Handler<E>>;
  wire(s: AppSocket): void;
}

function channel<E extends ClientEvent>(listen: (s: AppSocket, deliver: Handler<E>) => void): Channel<E> {
  const handlers = new Set<Handler<E>>();
  return {
    handlers,
    wire: (s) =>
      listen(s, (payload) => {
        for (const h of handlers) h(payload);
      }),
  };
}

/** Every event of the contract's `ClientEventMap`, each with Socket.IO's typed listener (a missing one is a type error). */
function channels(): { [E in ClientEvent]: Channel<E> } {
  return {
    prices: channel((s, h) => s.on('prices', h)),
    'order:update': channel((s, h) => s.on('order:update', h)),
    'balance:update': channel((s, h) => s.on('balance:update', h)),
    notification: channel((s, h) => s.on('notification', h)),
    'alert:triggered': channel((s, h) => s.on('alert:triggered', h)),
    'deposit:update': channel((s, h) => s.on('deposit:update', h)),
    'withdrawal:update': channel((s, h) => s.on('withdrawal:update', h)),
    announcement: channel((s, h) => s.on('announcement', h)),
  };
}

export interface RealtimeOptions {
  /** Socket.IO origin; '' means the page's own origin. */
  url: string;
  path: string;
  pageOrigin: string;
  /** A short-lived token for a socket on another origin (cookies may not travel there). null = anonymous. */
  getSocketToken?: () => Promise<string | null>;
  /** Failed attempts before the first connection after which the next route is tried. */
  failuresBeforeFallback?: number;
  /** Without a first connection after this long, the next route is tried (an upgrade that hangs or is dropped). */
  fallbackAfterMs?: number;
  ioFactory?: (url: string, opts: Partial<ManagerOptions & SocketOptions>) => AppSocket;
}

interface Route {
  url: string;
  transports: ('websocket' | 'polling')[];
  crossOrigin: boolean;
}

/**
 * The app's single Socket.IO connection. WebSocket first with long-polling as fallback; when the socket lives on
 * another origin it authenticates with a socket token and, if that origin cannot be reached at all, falls back to
 * long-polling on the page's own origin (through the rewrite). Subscriptions are reference-counted and replayed
 * on every (re)connection, and event handlers survive reconnections and route changes.
 */
export function createRealtime(o: RealtimeOptions) {
  const factory = o.ioFactory ?? io;
  const routes: Route[] = [];
  const crossOrigin = o.url !== '' && new URL(o.url, o.pageOrigin).origin !== o.pageOrigin;
  if (crossOrigin) {
    routes.push({ url: o.url, transports: ['websocket', 'polling'], crossOrigin: true });
    routes.push({ url: o.pageOrigin, transports: ['polling'], crossOrigin: false });
  } else {
    routes.push({ url: o.url || o.pageOrigin, transports: ['websocket', 'polling'], crossOrigin: false });
    // A proxy that accepts the upgrade and then drops it is not a transport error, so Socket.IO would retry
    // WebSocket forever: after repeated failures before any connection, stay on long-polling.
    routes.push({ url: o.url || o.pageOrigin, transports: ['polling'], crossOrigin: false });
  }
  const failuresBeforeFallback = o.failuresBeforeFallback ?? 2;
  const subscriptions = new Map<string, number>();
  const events = channels();
  const statusListeners = new Set<(s: SocketStatus) => void>();
  let socket: AppSocket | null = null;
  let routeIndex = 0;
  let everConnected = false;
  let failures = 0;
  let status: SocketStatus = 'idle';
  let kickTimer: ReturnType<typeof setTimeout> | null = null;
  let watchdog: ReturnType<typeof setTimeout> | null = null;
  const fallbackAfterMs = o.fallbackAfterMs ?? 6_000;

  function nextRoute(s: AppSocket): void {
    if (everConnected || routeIndex + 1 >= routes.length || socket !== s) return;
    routeIndex++;
    failures = 0;
    s.io.removeAllListeners();
    s.removeAllListeners();
    s.disconnect();
    open();
  }

  function setStatus(s: SocketStatus): void {
    if (s === status) return;
    status = s;
    for (const l of statusListeners) l(s);
  }

  /** The acknowledgement carries the current prices of the assets: shown at once, before the next batch. */
  function emitSubscribe(s: AppSocket, assets: string[]): void {
    s.emit('subscribe', { assets }, (ack) => {
      if (!ack.ok) return;
      for (const h of events.prices.handlers) h({ ts: Date.now(), prices: ack.prices });
    });
  }

  function open(): void {
    const route = routes[routeIndex] ?? routes[0]!;
    const s = factory(route.url, {
      path: o.path,
      transports: route.transports,
      tryAllTransports: true,
      withCredentials: true,
      reconnection: true,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
      timeout: 10_000,
      auth: (cb: (data: object) => void) => {
        if (!route.crossOrigin || !o.getSocketToken) return cb({});
        o.getSocketToken().then(
          (token) => cb(token ? { token } : {}),
          () => cb({}),
        );
      },
    });
    socket = s;
    setStatus('connecting');
    if (watchdog) clearTimeout(watchdog);
    watchdog = routeIndex + 1 < routes.length ? setTimeout(() => nextRoute(s), fallbackAfterMs) : null;
    s.on('connect', () => {
      if (watchdog) clearTimeout(watchdog);
      everConnected = true;
      failures = 0;
      setStatus('connected');
      const assets = [...subscriptions.keys()];
      if (assets.length) emitSubscribe(s, assets);
    });
    s.on('disconnect', (reason) => {
      setStatus('disconnected');
      // The server closing us (e.g. an expired token) is not retried by Socket.IO itself.
      if (reason === 'io server disconnect') {
        kickTimer = setTimeout(() => s.connect(), backoffDelay(failures++, 1_000, 10_000));
      }
    });
    s.on('connect_error', () => setStatus('disconnected'));
    // Every failed attempt ends in a reconnection attempt, whether the transport errored or opened and closed.
    s.io.on('reconnect_attempt', () => {
      failures++;
      if (failures >= failuresBeforeFallback) nextRoute(s);
    });
    for (const c of Object.values(events)) c.wire(s);
  }

  return {
    connect(): void {
      if (!socket) open();
    },
    /** After login or logout: a new handshake carries the new cookie or token and joins the right rooms. */
    reconnect(): void {
      if (!socket) {
        open();
        return;
      }
      socket.disconnect();
      socket.connect();
    },
    close(): void {
      if (kickTimer) clearTimeout(kickTimer);
      if (watchdog) clearTimeout(watchdog);
      socket?.io.removeAllListeners();
      socket?.removeAllListeners();
      socket?.disconnect();
      socket = null;
      setStatus('idle');
    },
    /** Reference-counted: the server hears `unsubscribe` only when the last subscriber of an asset leaves. */
    subscribe(assets: string[]): () => void {
      const added = assets.filter((a) => {
        const n = subscriptions.get(a) ?? 0;
        subscriptions.set(a, n + 1);
        return n === 0;
      });
      if (added.length && socket?.connected) emitSubscribe(socket, added);
      return () => {
        const removed = assets.filter((a) => {
          const n = (subscriptions.get(a) ?? 1) - 1;
          if (n <= 0) subscriptions.delete(a);
          else subscriptions.set(a, n);
          return n <= 0;
        });
        if (removed.length && socket?.connected) socket.emit('unsubscribe', { assets: removed });
      };
    },
    on<E extends ClientEvent>(event: E, handler: Handler<E>): () => void {
      const set = events[event].handlers;
      set.add(handler);
      return () => set.delete(handler);
    },
    status: () => status,
    /** 'websocket' or 'polling' while connected. */
    transport: (): string | null => (socket?.connected ? (socket.io.engine?.transport?.name ?? null) : null),
    onStatus(listener: (s: SocketStatus) => void): () => void {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    subscribedAssets: () => [...subscriptions.keys()],
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
