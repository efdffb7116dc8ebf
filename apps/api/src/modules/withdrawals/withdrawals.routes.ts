import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseIdempotencyKey } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { cancelWithdrawal, getWithdrawal, listWithdrawals, requestWithdrawal, withdrawalAssets } from './withdrawals.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['wallet'];

export async function registerWithdrawals(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.wallet.createWithdrawal, {
      tags,
      summary: 'Request a withdrawal: locks amount + fee, status pending_review; needs a recent step-up (403 STEP_UP_REQUIRED); Idempotency-Key accepted',
    }),
    handler: async (request, reply) => {
      const p = requireUser(request);
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      const r = await requestWithdrawal(platform, p, request.body, key, () => requireStepUp(request, platform.config.auth.stepUpTtlSeconds));
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(r.body);
    },
  });
  app.route({
    ...endpoint(apiRoutes.wallet.withdrawals, { tags, summary: 'Withdrawal history, newest first' }),
    handler: async (request) => listWithdrawals(platform, requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.wallet.withdrawal, { tags, summary: 'One withdrawal and its status' }),
    handler: async (request) => getWithdrawal(platform, requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.wallet.withdrawalAssets, { tags, summary: 'Assets that can be withdrawn: networks and network fee of each' }),
    handler: async (request) => {
      requireUser(request);
      return { items: withdrawalAssets(platform) };
    },
  });
  app.route({
    ...endpoint(apiRoutes.wallet.cancelWithdrawal, { tags, summary: 'Cancel a withdrawal still pending review (releases what was locked)' }),
    handler: async (request) => cancelWithdrawal(platform, requireUser(request).userId, request.params.id),
  });
}
