// One "machine" for the multi-process Socket.IO tests: the production app with its real price feed, Socket.IO
// server and Redis adapter, plus a test authenticator (token `user:<id>`) and a route that publishes an
// `order:update` through this machine's realtime port. Configuration comes from the environment like the real
// server (FLY_APP_NAME, FLY_MACHINE_ID, REDIS_URL); the database is the test template (TEST_PGLITE_TEMPLATE) or
// DATABASE_URL.
import { readFileSync } from 'node:fs';
import { orderSchema } from '@cryptovault/contract';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import { z } from 'zod';
import { buildApp } from '../../src/app.ts';
import { compose } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { installGracefulShutdown } from '../../src/lifecycle.ts';
import { type Database, wrapPglite } from '../../src/platform/db/client.ts';
import type { Authenticator, Principal } from '../../src/platform/principal.ts';

const { config } = loadConfig({ ...process.env, ENVIRONMENT: 'test', LOG_LEVEL: process.env.NODE_LOG_LEVEL ?? 'warn' });
const template = process.env.TEST_PGLITE_TEMPLATE;
let database: Database | undefined;
if (!process.env.DATABASE_URL && template) {
  database = await wrapPglite(await PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) }));
}
const principal = (userId: string): Principal => ({
  userId,
  sessionId: `s-${userId}`,
  role: 'user',
  operatorRoles: [],
  twoFactorEnabled: false,
  secondFactors: [],
  frozen: false,
  session: { secondFactorAt: null, stepUpAt: null, stepUpMethods: [] },
  via: 'bearer',
});
const authenticator: Authenticator = {
  authenticate: async () => null,
  authenticateSocket: async ({ token }) => (token?.startsWith('user:') ? principal(token.slice(5)) : null),
};
const root = await compose(config, pino({ level: config.logLevel }), { database, authenticator });
const { platform } = root;
const app = await buildApp(root);
app.post('/test/order-update', async (request) => {
  const body = z.object({ userId: z.string(), order: orderSchema }).parse(request.body);
  platform.realtime.toUser(body.userId, 'order:update', body.order);
  return { ok: true };
});

const shutdown = installGracefulShutdown(app, platform, (code) => process.exit(code));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
