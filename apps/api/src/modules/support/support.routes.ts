import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import { notFound } from '../../platform/errors.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import { signAttachment, uploadAttachment } from './support.attachments.ts';
import * as operator from './support.operator.ts';
import * as repo from './support.repo.ts';
import * as svc from './support.service.ts';

const tags = ['support'];

/** Operator routes: requireAdmin (role admin, 2FA) until the operator roles land; each is marked with its role. */
function operatorCtx(request: FastifyRequest): operator.OperatorCtx {
  return { operatorId: requireAdmin(request).userId, requestId: String(request.id) };
}

/** The contact form (public), a user's support tickets, and the operators' support queue. */
export async function registerSupport(root: FastifyInstance, d: svc.SupportDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.support.contact, { tags, summary: 'Contact form (no account needed): a ticket for operators and an acknowledgement email' }),
    handler: async (request, reply) => reply.code(202).send(await svc.submitContact(d, request.body, { ip: request.ip, requestId: String(request.id) })),
  });

  app.route({
    ...endpoint(apiRoutes.support.tickets, { tags, summary: 'Your support requests, most recently changed first' }),
    handler: async (request) => svc.listTickets(d, requireUser(request).userId, request.query),
  });
  app.route({
    ...endpoint(apiRoutes.support.create, { tags, summary: 'Open a support request' }),
    handler: async (request, reply) => reply.code(201).send(await svc.createTicket(d, requireUser(request).userId, request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.support.ticket, { tags, summary: 'One of your support requests with its messages' }),
    handler: async (request) => svc.getTicket(d, requireUser(request).userId, request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.support.reply, { tags, summary: 'Write on your support request' }),
    handler: async (request, reply) => reply.code(201).send(await svc.replyToTicket(d, requireUser(request).userId, request.params.id, request.body)),
  });
  app.route({
    ...endpoint(apiRoutes.support.close, { tags, summary: 'Close your support request' }),
    handler: async (request) => svc.closeTicket(d, requireUser(request).userId, request.params.id),
  });

  app.route({
    ...endpoint(apiRoutes.support.upload, { tags, summary: 'Upload a file (JPEG, PNG or PDF, checked by its bytes) to send with a message' }),
    // base64 in JSON: a third larger than the file, plus the JSON around it.
    bodyLimit: Math.ceil((d.documents.maxBytes * 4) / 3) + 4096,
    handler: async (request, reply) => reply.code(201).send(await uploadAttachment(d, requireUser(request).userId, request.body.data)),
  });
  app.route({
    ...endpoint(apiRoutes.support.attachment, { tags, summary: 'A short-lived link to a file of your support request' }),
    handler: async (request) => {
      const userId = requireUser(request).userId;
      if (!(await repo.findTicket(d.database.db, request.params.id, { userId }))) throw notFound('Support request');
      return signAttachment(d, request.params.id, request.params.attachmentId, userId, 'owner');
    },
  });

  app.route({
    ...endpoint(apiRoutes.support.queue, { tags, summary: 'Support queue: open requests, the one waiting longest first' }),
    handler: async (request) => operator.queue(d, operatorCtx(request), request.query), // role: support
  });
  app.route({
    ...endpoint(apiRoutes.support.adminTicket, { tags, summary: 'A support request with its messages and internal notes' }),
    handler: async (request) => {
      operatorCtx(request); // role: support
      return operator.ticket(d, request.params.id);
    },
  });
  app.route({
    ...endpoint(apiRoutes.support.adminReply, { tags, summary: 'Reply to the user (emailed; audited)' }),
    handler: async (request, reply) => reply.code(201).send(await operator.reply(d, operatorCtx(request), request.params.id, request.body)), // role: support
  });
  app.route({
    ...endpoint(apiRoutes.support.adminNote, { tags, summary: 'Internal note, for operators only (audited)' }),
    handler: async (request, reply) => reply.code(201).send(await operator.note(d, operatorCtx(request), request.params.id, request.body.note)), // role: support
  });
  app.route({
    ...endpoint(apiRoutes.support.assign, { tags, summary: 'Take the request (assign it to yourself; audited)' }),
    handler: async (request) => operator.assignToSelf(d, operatorCtx(request), request.params.id), // role: support
  });
  app.route({
    ...endpoint(apiRoutes.support.adminClose, { tags, summary: 'Close the request (audited)' }),
    handler: async (request) => operator.close(d, operatorCtx(request), request.params.id), // role: support
  });
  app.route({
    ...endpoint(apiRoutes.support.adminAttachment, { tags, summary: 'A short-lived link to a file of a support request, for this operator' }),
    handler: async (request) => {
      const { operatorId } = operatorCtx(request); // role: support
      if (!(await repo.findTicket(d.database.db, request.params.id))) throw notFound('Support request');
      return signAttachment(d, request.params.id, request.params.attachmentId, operatorId, 'operator');
    },
  });
}
