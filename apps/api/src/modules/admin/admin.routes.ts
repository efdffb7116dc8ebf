import {
  adminActionResult,
  adminDeposit,
  adminDepositList,
  adminDepositQuery,
  adminUserDetail,
  adminUserList,
  adminUserQuery,
  adminWithdrawal,
  adminWithdrawalList,
  adminWithdrawalQuery,
  announcement,
  announcementList,
  announcementRequest,
  auditList,
  auditQuery,
  completeWithdrawalRequest,
  platformStats,
  reasonRequest,
  resolveDepositRequest,
} from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin } from '../../platform/principal.ts';
import { resolveDeposit, reviewQueue } from '../payments/index.ts';
import { approveWithdrawal, completeWithdrawal, rejectWithdrawal, withdrawalQueue } from '../withdrawals/index.ts';
import * as svc from './admin.service.ts';

const tags = ['admin'];
const idParams = z.object({ id: z.uuid() });

/** Every admin route: role admin AND 2FA (requireAdmin), and the acting admin for the audit log. */
function admin(request: FastifyRequest): svc.AdminCtx {
  return { adminId: requireAdmin(request).userId, requestId: String(request.id) };
}

export async function registerAdmin(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/api/admin/users', { schema: { tags, summary: 'Search users by email, name or id', querystring: adminUserQuery, response: { 200: adminUserList } } }, async (request) => {
    admin(request);
    return svc.searchUsers(platform, request.query);
  });
  app.get('/api/admin/users/:id', { schema: { tags, summary: 'User detail with balances', params: idParams, response: { 200: adminUserDetail } } }, async (request) => {
    admin(request);
    return svc.userDetail(platform, request.params.id);
  });
  app.post(
    '/api/admin/users/:id/suspend',
    { schema: { tags, summary: 'Suspend: login refused, every session revoked', params: idParams, body: reasonRequest, response: { 200: adminActionResult } } },
    async (request) => svc.suspendUser(platform, admin(request), request.params.id, request.body.reason),
  );
  app.post('/api/admin/users/:id/unsuspend', { schema: { tags, summary: 'Lift a suspension', params: idParams, response: { 200: adminActionResult } } }, async (request) =>
    svc.unsuspendUser(platform, admin(request), request.params.id),
  );
  app.post('/api/admin/users/:id/force-logout', { schema: { tags, summary: 'Revoke every session of a user', params: idParams, response: { 200: adminActionResult } } }, async (request) =>
    svc.forceLogout(platform, admin(request), request.params.id),
  );

  app.get(
    '/api/admin/withdrawals',
    { schema: { tags, summary: 'Withdrawal queue (default pending_review), oldest first', querystring: adminWithdrawalQuery, response: { 200: adminWithdrawalList } } },
    async (request) => {
      admin(request);
      return withdrawalQueue(platform, request.query);
    },
  );
  app.post(
    '/api/admin/withdrawals/:id/approve',
    { schema: { tags, summary: 'Approve (two different admins at or above WITHDRAWAL_DUAL_APPROVAL_USD)', params: idParams, response: { 200: adminWithdrawal } } },
    async (request) => approveWithdrawal(platform, admin(request), request.params.id),
  );
  app.post(
    '/api/admin/withdrawals/:id/reject',
    { schema: { tags, summary: 'Reject with a reason (releases what was locked)', params: idParams, body: reasonRequest, response: { 200: adminWithdrawal } } },
    async (request) => rejectWithdrawal(platform, admin(request), request.params.id, request.body.reason),
  );
  app.post(
    '/api/admin/withdrawals/:id/complete',
    { schema: { tags, summary: 'Mark an approved withdrawal sent, with its transaction hash', params: idParams, body: completeWithdrawalRequest, response: { 200: adminWithdrawal } } },
    async (request) => completeWithdrawal(platform, admin(request), request.params.id, request.body.txHash),
  );

  app.get('/api/admin/deposits', { schema: { tags, summary: 'Deposits under review', querystring: adminDepositQuery, response: { 200: adminDepositList } } }, async (request) => {
    admin(request);
    return reviewQueue(platform, request.query);
  });
  app.post(
    '/api/admin/deposits/:id/resolve',
    { schema: { tags, summary: 'Close a deposit review, optionally crediting an amount', params: idParams, body: resolveDepositRequest, response: { 200: adminDeposit } } },
    async (request) => resolveDeposit(platform, admin(request), request.params.id, request.body),
  );

  app.get('/api/admin/stats', { schema: { tags, summary: 'Platform stats', response: { 200: platformStats } } }, async (request) => {
    admin(request);
    return svc.stats(platform);
  });
  app.get('/api/admin/audit', { schema: { tags, summary: 'Audit log of admin actions, newest first', querystring: auditQuery, response: { 200: auditList } } }, async (request) => {
    admin(request);
    return svc.auditLog(platform, request.query);
  });
  app.post('/api/admin/announcements', { schema: { tags, summary: 'Broadcast an announcement to every connected client', body: announcementRequest, response: { 201: announcement } } }, async (request, reply) =>
    reply.code(201).send(await svc.announce(platform, admin(request), request.body)),
  );
  app.get('/api/admin/announcements', { schema: { tags, summary: 'Recent announcements', response: { 200: announcementList } } }, async (request) => {
    admin(request);
    return svc.announcements(platform);
  });
}
