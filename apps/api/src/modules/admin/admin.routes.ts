import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin } from '../../platform/principal.ts';
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
    ...endpoint(apiRoutes.admin.withdrawals, { tags, summary: 'Withdrawal queue (default pending_review), oldest first' }),
    handler: async (request) => {
      admin(request);
      return withdrawalQueue(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.approveWithdrawal, { tags, summary: 'Approve (two different admins at or above WITHDRAWAL_DUAL_APPROVAL_USD)' }),
    handler: async (request) => approveWithdrawal(platform, admin(request), request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.admin.rejectWithdrawal, { tags, summary: 'Reject with a reason (releases what was locked)' }),
    handler: async (request) => rejectWithdrawal(platform, admin(request), request.params.id, request.body.reason),
  });
  app.route({
    ...endpoint(apiRoutes.admin.completeWithdrawal, { tags, summary: 'Mark an approved withdrawal sent, with its transaction hash' }),
    handler: async (request) => completeWithdrawal(platform, admin(request), request.params.id, request.body.txHash),
  });

  app.route({
    ...endpoint(apiRoutes.admin.deposits, { tags, summary: 'Deposits under review' }),
    handler: async (request) => {
      admin(request);
      return reviewQueue(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.admin.resolveDeposit, { tags, summary: 'Close a deposit review, optionally crediting an amount' }),
    handler: async (request) => resolveDeposit(platform, admin(request), request.params.id, request.body),
  });

  app.route({
    ...endpoint(apiRoutes.admin.stats, { tags, summary: 'Platform stats' }),
    handler: async (request) => {
      admin(request);
      return svc.stats(platform);
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
