import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import { requireStepUp, requireUser } from '../../platform/principal.ts';
import { requestContext } from '../auth/index.ts';
import type { ApiKeysService } from './apikeys.service.ts';

const tags = ['api-keys'];

/**
 * The signed-in user's API keys (docs/api-keys.md). Only a session reaches these routes: no scope allows them, so a
 * key can neither list, create nor revoke keys. Creating one needs a recent step-up (a second factor when the
 * account has one), like every other sensitive action.
 */
export async function registerApiKeys(
  root: FastifyInstance,
  { service, stepUpTtlSeconds }: { service: ApiKeysService; stepUpTtlSeconds: number },
): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.route({
    ...endpoint(apiRoutes.apiKeys.list, { tags, summary: 'Your API keys (never their secrets), newest first, revoked ones included' }),
    handler: async (request) => service.list(requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.apiKeys.create, {
      tags,
      summary: 'Create an API key (needs a recent step-up); the answer is the only time its secret is shown',
      description:
        'Scopes: `read` and `trade`; no scope can withdraw, transfer, change security settings or manage keys. At most API_KEY_MAX_PER_USER active keys.',
    }),
    handler: async (request, reply) =>
      reply.code(201).send(await service.create(requireStepUp(request, stepUpTtlSeconds), request.body, requestContext(request))),
  });
  app.route({
    ...endpoint(apiRoutes.apiKeys.revoke, { tags, summary: 'Revoke an API key: refused at once on every machine; another user’s key is a 404' }),
    handler: async (request) => service.revoke(requireUser(request).userId, request.params.id, requestContext(request)),
  });
}
