import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireStepUp } from '../../platform/principal.ts';
import { listOperators, setOperatorRoles } from '../auth/index.ts';
import { approveAdjustment, listAdjustments, type OperatorCtx, proposeAdjustment, rejectAdjustment } from './adjustments.service.ts';

const tags = ['admin'];

/**
 * Operator roles (superadmin) and maker-checker adjustments (finance). The role each route needs is on its entry of
 * the contract's route table and enforced before these handlers run (http/route-roles.ts); the handlers only take
 * the acting operator, and ask for a fresh step-up where the act is sensitive.
 */
export async function registerOperators(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const ttl = platform.config.auth.stepUpTtlSeconds;
  const operator = (request: FastifyRequest): OperatorCtx => {
    const p = requireAdmin(request);
    return { adminId: p.userId, requestId: String(request.id), roles: p.operatorRoles };
  };
  /** A fresh second factor on this session as well (403 STEP_UP_REQUIRED: the web asks for it and retries). */
  const steppedUp = (request: FastifyRequest): OperatorCtx => {
    const ctx = operator(request);
    requireStepUp(request, ttl);
    return ctx;
  };

  app.route({
    ...endpoint(apiRoutes.operators.list, { tags, summary: 'Operators and their roles; with q: any account found by email, name or id (superadmin)' }),
    handler: async (request) => {
      operator(request);
      return { items: await listOperators(platform.database.db, request.query.q) };
    },
  });
  app.route({
    ...endpoint(apiRoutes.operators.setRoles, {
      tags,
      summary: "Set an account's operator roles (superadmin, step-up, audited; the last superadmin stays; applies at the operator's next request)",
    }),
    handler: async (request) =>
      setOperatorRoles(
        platform,
        { actorId: steppedUp(request).adminId, requestId: String(request.id) },
        request.params.id,
        request.body.roles,
        request.body.reason,
      ),
  });

  app.route({
    ...endpoint(apiRoutes.operators.adjustments, { tags, summary: 'Balance adjustments (default: pending, oldest first) with user context' }),
    handler: async (request) => {
      operator(request);
      return listAdjustments(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.operators.proposeAdjustment, { tags, summary: 'Propose a balance adjustment (maker); another finance operator must approve it' }),
    handler: async (request, reply) => reply.code(201).send(await proposeAdjustment(platform, operator(request), request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.operators.approveAdjustment, {
      tags,
      summary: 'Approve and post an adjustment (checker: not its proposer; step-up; idempotent: posts once)',
    }),
    handler: async (request) => approveAdjustment(platform, steppedUp(request), request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.operators.rejectAdjustment, { tags, summary: 'Reject a pending adjustment with a reason (not its proposer)' }),
    handler: async (request) => rejectAdjustment(platform, operator(request), request.params.id, request.body.reason),
  });
}
