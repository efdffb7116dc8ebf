import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireStepUp } from '../../platform/principal.ts';
import { resolveDeposit, reviewQueue } from '../payments/index.ts';
import { approveWithdrawal, completeWithdrawal, rejectWithdrawal, withdrawalQueue } from '../withdrawals/index.ts';
import * as svc from './admin.service.ts';
import { endpoint } from '../../http/route-table.ts';

const tags = ['admin'];

/** Every admin route: role admin AND 2FA (requireAdmin), and the acting admin for the audit log. */
function admin(request: FastifyRequest): svc.AdminCtx {
  return { adminId: requireAdmin(request).userId, requestId: String(request.id) };
}

export async function registerAdmin(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  /**
   * Decisions that move money (approve or send a withdrawal, credit a deposit) also need a fresh step-up, as an
   * approval from Telegram needs the operator's code: a stolen console cookie alone decides nothing.
   */
  const decider = (request: FastifyRequest): svc.AdminCtx => {
    const ctx = admin(request);
    requireStepUp(request, platform.config.auth.stepUpTtlSeconds);
    return ctx;
  };

  app.route({
    ...endpoint(apiRoutes.admin.users, { tags, summary: 'Search users by email, name or id' }),
    handler: async (request) => {
      admin(request);
      return svc.searchUsers(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.user, { tags, summary: 'User detail with balances' }),
    handler: async (request) => {
      admin(request);
      return svc.userDetail(platform, request.params.id);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.suspendUser, { tags, summary: 'Suspend: login refused, every session revoked' }),
    handler: async (request) => svc.suspendUser(platform, admin(request), request.params.id, request.body.reason),
  });
  app.route({
    ...endpoint(apiRoutes.admin.unsuspendUser, { tags, summary: 'Lift a suspension' }),
    handler: async (request) => svc.unsuspendUser(platform, admin(request), request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.admin.forceLogout, { tags, summary: 'Revoke every session of a user' }),
    handler: async (request) => svc.forceLogout(platform, admin(request), request.params.id),
  });

  app.route({
    ...endpoint(apiRoutes.admin.withdrawals, { tags, summary: 'Withdrawal queue (default pending_review), oldest first, each with its account context' }),
    handler: async (request) => {
      admin(request);
      return svc.withAccountContext(platform, await withdrawalQueue(platform, request.query), (w) => w.asset);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.approveWithdrawal, {
      tags,
      summary: 'Approve (two different admins at or above WITHDRAWAL_DUAL_APPROVAL_USD); needs a fresh step-up (403 STEP_UP_REQUIRED)',
    }),
    handler: async (request) => approveWithdrawal(platform, decider(request), request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.admin.rejectWithdrawal, { tags, summary: 'Reject with a reason (releases what was locked)' }),
    handler: async (request) => rejectWithdrawal(platform, admin(request), request.params.id, request.body.reason),
  });
  app.route({
    ...endpoint(apiRoutes.admin.completeWithdrawal, { tags, summary: 'Mark an approved withdrawal sent, with its transaction hash; needs a fresh step-up' }),
    handler: async (request) => completeWithdrawal(platform, decider(request), request.params.id, request.body.txHash),
  });

  app.route({
    ...endpoint(apiRoutes.admin.deposits, { tags, summary: 'Deposits under review, each with its account context' }),
    handler: async (request) => {
      admin(request);
      return svc.withAccountContext(platform, await reviewQueue(platform, request.query), (d) => d.creditAsset);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.resolveDeposit, { tags, summary: 'Close a deposit review, optionally crediting an amount; needs a fresh step-up' }),
    handler: async (request) => resolveDeposit(platform, decider(request), request.params.id, request.body),
  });

  app.route({
    ...endpoint(apiRoutes.admin.stats, { tags, summary: 'Platform stats' }),
    handler: async (request) => {
      admin(request);
      return svc.stats(platform);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.statsSeries, { tags, summary: 'Per-day activity for the charts (UTC days, every day present)' }),
    handler: async (request) => {
      admin(request);
      return svc.statsSeries(platform, request.query.days);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.audit, { tags, summary: 'Audit log of admin actions, newest first' }),
    handler: async (request) => {
      admin(request);
      return svc.auditLog(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.announce, { tags, summary: 'Broadcast an announcement to every connected client' }),
    handler: async (request, reply) => reply.code(201).send(await svc.announce(platform, admin(request), request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.admin.announcements, { tags, summary: 'Recent announcements' }),
    handler: async (request) => {
      admin(request);
      return svc.announcements(platform);
    },
  });
}
