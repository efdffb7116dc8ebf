import { createTransferRequest, transfer, transferList, transferListQuery } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { createTransfer, listTransfers } from './transfers.service.ts';

const tags = ['wallet'];

export async function registerTransfers(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/wallet/transfers',
    {
      schema: {
        tags,
        summary: 'Send funds instantly to another verified user by email; needs a recent step-up (403 STEP_UP_REQUIRED); Idempotency-Key accepted',
        body: createTransferRequest,
        response: { 201: transfer },
      },
    },
    async (request, reply) => {
      const r = await createTransfer(platform, requireStepUp(request, platform.config.auth.stepUpTtlSeconds), request.body, parseIdempotencyKey(request.headers['idempotency-key']));
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(r.body);
    },
  );
  app.get('/api/wallet/transfers', { schema: { tags, summary: 'Transfers sent and received, newest first', querystring: transferListQuery, response: { 200: transferList } } }, async (request) =>
    listTransfers(platform, requireUser(request).userId, request.query),
  );
}
