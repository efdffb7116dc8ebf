import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import * as svc from './kyc.service.ts';

const tags = ['kyc'];

export async function registerKyc(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.kyc.status, {
      tags,
      summary: 'Your verification tier, its limits with what is used today and this month, and your latest submission',
    }),
    handler: async (request) => svc.kycStatus(platform, requireUser(request).userId),
  });
  app.route({
    ...endpoint(apiRoutes.kyc.submitTier1, { tags, summary: 'Send your legal name, date of birth, country and address for review (tier 1)' }),
    handler: async (request, reply) => {
      const p = requireUser(request);
      return reply.code(201).send(await svc.submitTier1(platform, p.userId, request.body, String(request.id)));
    },
  });
  app.route({
    ...endpoint(apiRoutes.kyc.uploadDocument, {
      tags,
      summary: 'Upload an identity document or a selfie (JPEG, PNG or PDF by content, base64), stored encrypted',
    }),
    // Base64 is 4/3 of the file, plus the JSON around it.
    bodyLimit: Math.ceil((platform.config.documents.maxBytes * 4) / 3) + 64 * 1024,
    handler: async (request, reply) => {
      const p = requireUser(request);
      return reply.code(201).send(await svc.uploadDocument(platform, p.userId, request.body));
    },
  });
  app.route({
    ...endpoint(apiRoutes.kyc.submitTier2, { tags, summary: 'Send your uploaded identity document and selfie for review (tier 2)' }),
    handler: async (request, reply) => {
      const p = requireUser(request);
      return reply.code(201).send(await svc.submitTier2(platform, p.userId, request.body, String(request.id)));
    },
  });

  app.route({
    ...endpoint(apiRoutes.kyc.queue, { tags, summary: 'KYC review queue (default pending), oldest first' }),
    handler: async (request) => {
      requireAdmin(request); // role: compliance
      return svc.reviewQueue(platform, request.query);
    },
  });
  app.route({
    ...endpoint(apiRoutes.kyc.review, { tags, summary: 'One verification request: the submitted details, short-lived signed document links, history' }),
    handler: async (request) => svc.reviewDetail(platform, requireAdmin(request).userId /* role: compliance */, request.params.id),
  });
  app.route({
    ...endpoint(apiRoutes.kyc.decide, { tags, summary: 'Approve, reject with a reason, or ask for more information (audited, emailed)' }),
    handler: async (request) =>
      svc.decideSubmission(platform, requireAdmin(request).userId /* role: compliance */, request.params.id, request.body, String(request.id)),
  });
}
