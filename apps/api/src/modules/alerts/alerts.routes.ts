import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { createAlert, deleteAlert, listAlerts, startAlertEvaluation, updateAlert } from './alerts.service.ts';

const tags = ['alerts'];

export async function registerAlerts(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.alerts.list, { tags, summary: 'Your price alerts' }),
    handler: async (request) => listAlerts(platform, requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.alerts.create, { tags, summary: 'Create a price alert (at most 50 active)' }),
    handler: async (request, reply) => reply.code(201).send(await createAlert(platform, requireUser(request).userId, request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.alerts.update, { tags, summary: 'Change or pause an alert' }),
    handler: async (request) => updateAlert(platform, requireUser(request).userId, request.params.id, request.body),
  });
  app.route({
    ...endpoint(apiRoutes.alerts.remove, { tags, summary: 'Delete an alert' }),
    handler: async (request, reply) => {
      await deleteAlert(platform, requireUser(request).userId, request.params.id);
      return reply.code(204).send(null);
    },
  });
  const stop = startAlertEvaluation(platform);
  platform.onClose(stop);
}
