import { apiRoutes, errorBodySchema } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import { feeSchedule } from './fees.ts';
import type { LegalService } from './legal.service.ts';

const tags = ['legal'];

export interface LegalDeps {
  platform: Pick<Platform, 'config' | 'clientCountry'>;
  legal: LegalService;
}

/** Public legal pages and the fee schedule, the signed-in user's consent, the country check, and publishing. */
export async function registerLegal(root: FastifyInstance, { platform, legal }: LegalDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.legal.current, { tags, summary: 'The version in force of each legal document (the sign-up form reads the terms version)' }),
    handler: async () => ({ items: await legal.currentDocuments() }),
  });
  app.route({
    ...endpoint(apiRoutes.legal.document, { tags, summary: 'A legal document in force, with the list of its versions' }, { 404: errorBodySchema }),
    handler: async (request) => legal.documentPage(request.params.kind),
  });
  app.route({
    ...endpoint(apiRoutes.legal.version, { tags, summary: 'One version of a legal document (earlier versions stay readable)' }, { 404: errorBodySchema }),
    handler: async (request) => legal.documentVersion(request.params.kind, request.params.version),
  });
  app.route({
    ...endpoint(apiRoutes.legal.fees, { tags, summary: 'The fee schedule, generated from the settings that charge the fees' }),
    handler: async () => feeSchedule(platform),
  });
  app.route({
    ...endpoint(apiRoutes.legal.geo, { tags, summary: 'The country the edge reports for this connection, and whether it is restricted' }),
    handler: async (request) => {
      const country = platform.clientCountry(request.raw);
      return { country, blocked: legal.isBlocked(country) };
    },
  });

  app.route({
    ...endpoint(apiRoutes.legal.consent, { tags, summary: 'Whether you accepted the terms in force' }, { 401: errorBodySchema }),
    handler: async (request) => legal.consentState(requireUser(request).userId),
  });
  app.route({
    ...endpoint(
      apiRoutes.legal.accept,
      { tags, summary: 'Accept a version of the terms (records version, time and address)' },
      { 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema },
    ),
    handler: async (request) => legal.accept(requireUser(request).userId, request.body.version, request.ip),
  });

  app.route({
    ...endpoint(apiRoutes.legal.adminList, { tags: ['admin'], summary: 'Every version of every legal document' }),
    handler: async (request) => {
      requireAdmin(request); // role: compliance
      return { items: await legal.allVersions() };
    },
  });
  app.route({
    ...endpoint(apiRoutes.legal.publish, { tags: ['admin'], summary: 'Publish a new version of a legal document (audited: legal.publish)' }),
    handler: async (request, reply) => {
      const admin = requireAdmin(request); // role: compliance
      return reply.code(201).send(await legal.publish({ adminId: admin.userId, requestId: String(request.id) }, request.body));
    },
  });
}
