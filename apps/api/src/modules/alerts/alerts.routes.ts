import { alertList, createAlertRequest, priceAlert, updateAlertRequest } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { createAlert, deleteAlert, listAlerts, startAlertEvaluation, updateAlert } from './alerts.service.ts';

const tags = ['alerts'];
const idParams = z.object({ id: z.uuid() });

export async function registerAlerts(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/api/alerts', { schema: { tags, summary: 'Your price alerts', response: { 200: alertList } } }, async (request) => listAlerts(platform, requireUser(request).userId));
  app.post('/api/alerts', { schema: { tags, summary: 'Create a price alert (at most 50 active)', body: createAlertRequest, response: { 201: priceAlert } } }, async (request, reply) =>
    reply.code(201).send(await createAlert(platform, requireUser(request).userId, request.body)),
  );
  app.patch('/api/alerts/:id', { schema: { tags, summary: 'Change or pause an alert', params: idParams, body: updateAlertRequest, response: { 200: priceAlert } } }, async (request) =>
    updateAlert(platform, requireUser(request).userId, request.params.id, request.body),
  );
  app.delete('/api/alerts/:id', { schema: { tags, summary: 'Delete an alert', params: idParams, response: { 204: z.null() } } }, async (request, reply) => {
    await deleteAlert(platform, requireUser(request).userId, request.params.id);
    return reply.code(204).send(null);
  });
  const stop = startAlertEvaluation(platform);
  platform.onClose(stop);
}
