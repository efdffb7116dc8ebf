import type { App } from './app.ts';
import type { Platform } from './platform/index.ts';

/**
 * SIGTERM / SIGINT: health and liveness turn 503 `draining` (Fly stops routing here), Socket.IO closes its sockets
 * (clients reconnect to another machine), new requests are answered 503 with `Connection: close` while the ones in
 * flight finish, then the listener closes, stores close, and the process exits 0 — or 1 if that takes longer than
 * SHUTDOWN_TIMEOUT_MS. Fly's kill_timeout must be longer than that timeout.
 */
export function installGracefulShutdown(app: App, platform: Platform, exit: (code: number) => never): (signal: string) => Promise<void> {
  const { log, config } = platform;
  let started = false;
  return async (signal: string) => {
    if (started) return;
    started = true;
    platform.draining = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting with work still open');
      exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Connections that finish their last request while we drain would otherwise sit in keep-alive until the
    // client's timeout; close each one as soon as it goes idle.
    const sweeper = setInterval(() => app.server.closeIdleConnections(), 100);
    sweeper.unref();
    try {
      await app.drain.start();
      await app.drain.settled();
      await app.close();
      clearInterval(sweeper);
      await platform.close();
      clearTimeout(force);
      log.info('shutdown complete');
      log.flush();
      exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      exit(1);
    }
  };
}
