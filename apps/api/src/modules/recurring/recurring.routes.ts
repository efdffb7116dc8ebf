import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { LeaderElection } from '../../platform/locks.ts';
import { requireUser } from '../../platform/principal.ts';
import type { RecurringBuysService } from './recurring.service.ts';

const tags = ['recurring-buys'];

/**
 * A user's recurring buys. The scheduler's election (null when RECURRING_SWEEP_INTERVAL_MS is 0) starts when the
 * app is ready and stops when it closes, as the trading engine's does.
 */
export async function registerRecurring(
  root: FastifyInstance,
  { service, election }: { service: RecurringBuysService; election: LeaderElection | null },
): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const r = apiRoutes.recurringBuys;
  app.route({
    ...endpoint(r.list, { tags, summary: 'Your recurring buys, each with its next run and last run' }),
    handler: async (request) => service.list(requireUser(request).userId),
  });
  app.route({
    ...endpoint(r.create, { tags, summary: 'Create a recurring buy (at most 20 per account)' }),
    handler: async (request, reply) => reply.code(201).send(await service.create(requireUser(request).userId, request.body)),
  });
  app.route({
    ...endpoint(r.get, { tags, summary: 'One recurring buy' }),
    handler: async (request) => service.get(requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(r.update, { tags, summary: 'Change a recurring buy (asset, amount, frequency, time); its next run is recomputed' }),
    handler: async (request) => service.update(requireUser(request).userId, request.params.id, request.body),
  });
  app.route({
    ...endpoint(r.pause, { tags, summary: 'Pause a recurring buy' }),
    handler: async (request) => service.pause(requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(r.resume, { tags, summary: 'Resume a recurring buy from its next period (missed periods are not bought)' }),
    handler: async (request) => service.resume(requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(r.remove, { tags, summary: 'Delete a recurring buy' }),
    handler: async (request, reply) => {
      await service.remove(requireUser(request).userId, request.params.id);
      return reply.code(204).send(null);
    },
  });
  app.route({
    ...endpoint(r.runs, { tags, summary: 'The runs of a recurring buy, newest first: time, status, order, amount, price, reason' }),
    handler: async (request) => service.runs(requireUser(request).userId, request.params.id, request.query.limit),
  });
  if (election) {
    app.addHook('onReady', async () => election.start());
    app.addHook('onClose', async () => election.stop());
  }
}
