import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform/index.ts';
import type { Authenticator } from '../platform/principal.ts';
import { type Realtime, startRealtime } from './server.ts';

/**
 * Starts Socket.IO once the HTTP server exists (onReady) and closes its sockets as soon as the drain starts (and on
 * close), so clients reconnect to another machine at once and open WebSockets and pending long-polls never hold
 * the HTTP server open past the drain.
 */
export async function registerRealtime(app: FastifyInstance, { platform, authenticator }: { platform: Platform; authenticator: Authenticator }): Promise<void> {
  let realtime: Realtime | null = null;
  app.addHook('onReady', async () => {
    realtime = await startRealtime(platform, authenticator, app.server);
  });
  const close = async () => {
    await realtime?.close();
  };
  app.drain.onStart(close);
  app.addHook('preClose', close);
  app.addHook('onClose', close);
}
