import { backoffDelay } from './backoff.ts';

/** online: the last ping answered; reconnecting: it failed and we retry; offline: several failed in a row. */
export type ConnectionState = 'online' | 'reconnecting' | 'offline';

export interface HealthMonitorOptions {
  /** Resolves when the API answered; rejects otherwise. */
  ping: () => Promise<unknown>;
  intervalMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Consecutive failures after which the state is `offline` rather than `reconnecting`. */
  offlineAfter?: number;
  isVisible?: () => boolean;
  /** Subscribes to visibility changes; returns the unsubscribe function. */
  onVisibilityChange?: (cb: () => void) => () => void;
  /** Subscribes to the browser's online/offline events. */
  onNetworkChange?: (cb: (online: boolean) => void) => () => void;
  now?: () => number;
  random?: () => number;
}

export interface HealthMonitor {
  start(): void;
  stop(): void;
  /** Pings now (e.g. after a failed request or a click on "retry"). */
  checkNow(): Promise<void>;
  state(): ConnectionState;
  /** Milliseconds until the next scheduled ping, or null when none is scheduled (hidden tab, stopped). */
  nextCheckInMs(): number | null;
  subscribe(listener: (s: ConnectionState) => void): () => void;
}

/**
 * Keeps an eye on the API: a ping every 4 minutes while the tab is visible (it also keeps an auto-stopping
 * machine warm), exponential backoff after a failure, an immediate check when the tab comes back or the network
 * returns. Hidden tabs send nothing.
 */
export function createHealthMonitor(o: HealthMonitorOptions): HealthMonitor {
  const intervalMs = o.intervalMs ?? 4 * 60_000;
  const retryBaseMs = o.retryBaseMs ?? 2_000;
  const retryMaxMs = o.retryMaxMs ?? 60_000;
  const offlineAfter = o.offlineAfter ?? 3;
  const isVisible = o.isVisible ?? (() => true);
  const now = o.now ?? Date.now;
  const listeners = new Set<(s: ConnectionState) => void>();
  let current: ConnectionState = 'online';
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dueAt: number | null = null;
  let lastCheck = now();
  let inFlight: Promise<void> | null = null;
  let running = false;
  const cleanups: (() => void)[] = [];

  function set(s: ConnectionState): void {
    if (s === current) return;
    current = s;
    for (const l of listeners) l(s);
  }

  function clear(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    dueAt = null;
  }

  function schedule(ms: number): void {
    clear();
    if (!running || !isVisible()) return;
    dueAt = now() + ms;
    timer = setTimeout(() => void checkNow(), ms);
  }

  function checkNow(): Promise<void> {
    if (inFlight) return inFlight;
    clear();
    inFlight = (async () => {
      lastCheck = now();
      try {
        await o.ping();
        failures = 0;
        set('online');
        schedule(intervalMs);
      } catch {
        failures++;
        set(failures >= offlineAfter ? 'offline' : 'reconnecting');
        schedule(backoffDelay(failures - 1, retryBaseMs, retryMaxMs, o.random));
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  function onVisibility(): void {
    if (!running) return;
    if (!isVisible()) {
      clear();
      return;
    }
    const since = now() - lastCheck;
    if (current !== 'online' || since >= intervalMs) void checkNow();
    else schedule(intervalMs - since);
  }

  return {
    start() {
      if (running) return;
      running = true;
      if (o.onVisibilityChange) cleanups.push(o.onVisibilityChange(onVisibility));
      if (o.onNetworkChange) {
        cleanups.push(
          o.onNetworkChange((online) => {
            if (online) void checkNow();
            else set('offline');
          }),
        );
      }
      schedule(intervalMs);
    },
    stop() {
      running = false;
      clear();
      for (const c of cleanups.splice(0)) c();
    },
    checkNow,
    state: () => current,
    nextCheckInMs: () => (dueAt === null ? null : Math.max(0, dueAt - now())),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Browser wiring for createHealthMonitor. */
export function browserVisibility(): Pick<HealthMonitorOptions, 'isVisible' | 'onVisibilityChange' | 'onNetworkChange'> {
  return {
    isVisible: () => document.visibilityState !== 'hidden',
    onVisibilityChange: (cb) => {
      document.addEventListener('visibilitychange', cb);
      return () => document.removeEventListener('visibilitychange', cb);
    },
    onNetworkChange: (cb) => {
      const on = () => cb(true);
      const off = () => cb(false);
      window.addEventListener('online', on);
      window.addEventListener('offline', off);
      return () => {
        window.removeEventListener('online', on);
        window.removeEventListener('offline', off);
      };
    },
  };
}
