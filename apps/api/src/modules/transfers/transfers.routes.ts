import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { createTransfer, getTransfer, listTransfers } from './transfers.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['wallet'];

export async function registerTransfers(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.wallet.createTransfer, {
      tags,
      summary: 'Send funds instantly to another verified user by email; needs a recent step-up (403 STEP_UP_REQUIRED); Idempotency-Key accepted',
    }),
    handler: async (request, reply) => {
      const r = await createTransfer(
        platform,
        requireStepUp(request, platform.config.auth.stepUpTtlSeconds),
        request.body,
        parseIdempotencyKey(request.headers['idempotency-key']),
      );
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(r.body);
    },
  });
  app.route({
    ...endpoint(apiRoutes.wallet.transfers, { tags, summary: 'Transfers sent and received, newest first' }),
    handler: async (request) => listTransfers(platform, requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.wallet.transfer, { tags, summary: 'One transfer sent or received' }),
    handler: async (request) => getTransfer(platform, requireUser(request).userId, request.params.id),
  });
}
