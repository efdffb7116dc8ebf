import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { LeaderElection } from '../../platform/locks.ts';
import { requireUser } from '../../platform/principal.ts';
import { clusterNamespace } from '../../realtime/namespace.ts';
import type { TradingEngine } from './engine.ts';
import type { OrdersService } from './orders.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['trading'];
/** The engine's own lock (per cluster namespace): one machine evaluates triggers; a dead leader is replaced within about this long. */
const ENGINE_LOCK_TTL_MS = 10_000;

/** The engine runs on the machine that holds its lock (per cluster namespace): built by compose.ts. */
export function engineElection(platform: Platform, engine: TradingEngine): LeaderElection {
  return new LeaderElection(
    platform.locks,
    `trading-engine:${clusterNamespace(platform)}`,
    ENGINE_LOCK_TTL_MS,
    { onElected: () => engine.start(), onRevoked: () => engine.stop() },
    (err) => platform.log.warn({ err }, 'trading engine leader election error'),
  );
}

/** Orders; the trading engine's election starts when the app is ready and stops when it closes. */
export async function registerTrading(root: FastifyInstance, { orders, election }: { orders: OrdersService; election: LeaderElection }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.orders.place, { tags, summary: 'Place an order (Idempotency-Key honoured)' }),
    handler: async (request, reply) => {
      const { userId } = requireUser(request);
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      const { order, replayed } = await orders.place(userId, request.body, key);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(order);
    },
  });
  app.route({
    ...endpoint(apiRoutes.orders.quote, { tags, summary: 'Quote a market order: amount, price, fee and total now, honoured for one order until it expires' }),
    handler: async (request, reply) => reply.code(201).send(await orders.quote(requireUser(request).userId, request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.orders.list, { tags, summary: 'Your orders' }),
    handler: async (request) => orders.list(requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.orders.get, { tags, summary: 'One order' }),
    handler: async (request) => orders.get(requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.orders.cancel, { tags, summary: 'Cancel an open order (releases what it holds)' }),
    handler: async (request) => orders.cancel(requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.orders.amend, {
      tags,
      summary: 'Amend an open order (cancel-and-replace; the hold adjusts by the difference)',
      description:
        'Cancels the order and places its replacement with the new amount, limit price or trigger price, in one transaction. ' +
        'Answers the replacement (replacesOrderId names the original). A replacement that would fill at once is refused ' +
        '(TRIGGER_WOULD_FIRE_NOW); any refusal leaves the original exactly as it was.',
    }),
    handler: async (request) => orders.amend(requireUser(request).userId, request.params.id, request.body),
  });

  app.addHook('onReady', async () => election.start());
  app.addHook('onClose', async () => election.stop());
}
