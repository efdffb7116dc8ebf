import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform/index.ts';
import type { AppModule } from '../modules/types.ts';
import { type Realtime, startRealtime } from './server.ts';

/**
 * Starts Socket.IO once the HTTP server exists (onReady) and closes its sockets as soon as the drain starts (and on
 * close), so clients reconnect to another machine at once and open WebSockets and pending long-polls never hold
 * the HTTP server open past the drain.
 */
async function register(app: FastifyInstance, platform: Platform): Promise<void> {
  let realtime: Realtime | null = null;
  app.addHook('onReady', async () => {
    realtime = await startRealtime(platform, app.server);
  });
  const close = async () => {
    await realtime?.close();
  };
  app.drain.onStart(close);
  app.addHook('preClose', close);
  app.addHook('onClose', close);
}

export const realtimeModule: AppModule = { name: 'realtime', register };
