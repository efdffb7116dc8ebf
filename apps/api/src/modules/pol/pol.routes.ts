import { apiRoutes, polReserveRequest, polRootRecord } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';
import { startSnapshotJob } from './pol.job.ts';
import { declareReserve, publication } from './pol.reserves.ts';
import { inclusionProof, rootHistory, takeSnapshot } from './pol.service.ts';
import { endpoint } from '../../http/route-table.ts';

const reserveResponse = z.object({
  id: z.string(),
  asset: z.string(),
  chain: z.string(),
  address: z.string(),
  balance: z.string(),
  message: z.string().nullable(),
  signature: z.string().nullable(),
  note: z.string().nullable(),
  declaredAt: z.string(),
});

/** Proof of liabilities: snapshots, Merkle sum tree, signed roots, inclusion proofs, declared reserves. */
export async function registerPol(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['proof-of-liabilities'];
  const db = platform.database.db;

  app.route({
    ...endpoint(apiRoutes.pol.publication, { tags, summary: 'The latest signed root, liabilities and declared reserves per asset, and the signing key' }),
    handler: async () => publication(platform),
  });
  app.route({
    ...endpoint(apiRoutes.pol.history, { tags, summary: 'Every published root, newest first, each signed and chained to the previous one' }),
    handler: async (request) => {
      const items = await rootHistory(db, request.query.limit + 1, request.query.beforeSeq);
      const more = items.length > request.query.limit;
      const page = items.slice(0, request.query.limit);
      return { items: page, nextBeforeSeq: more ? page.at(-1)!.seq : null };
    },
  });
  app.route({
    ...endpoint(apiRoutes.pol.myProof, { tags, summary: "The signed-in user's inclusion proof in the latest snapshot (or ?snapshotId=)" }),
    handler: async (request, reply) => {
      const proof = await inclusionProof(db, requireUser(request).userId, request.query.snapshotId);
      // The salt in it is the user's secret: not for shared caches.
      reply.header('cache-control', 'private, no-store');
      return proof;
    },
  });
  app.post(
    '/api/admin/proof-of-liabilities/snapshots',
    {
      schema: { tags, summary: 'Take a snapshot now and publish its signed root (audited; 409 while one is being built)', response: { 201: polRootRecord } },
      config: { role: 'finance' },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      const record = await takeSnapshot(platform, { trigger: 'operator', requestedBy: admin.userId, requestId: String(request.id) });
      return reply.code(201).send(record);
    },
  );
  app.post(
    '/api/admin/proof-of-liabilities/reserves',
    {
      schema: {
        tags,
        summary: 'Declare the reserves held at one address (audited; shown as declared, not proven)',
        body: polReserveRequest,
        response: { 201: reserveResponse },
      },
      config: { role: 'finance' },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      return reply.code(201).send(await declareReserve(platform, { adminId: admin.userId, requestId: String(request.id) }, request.body));
    },
  );

  if (platform.config.devToolsEnabled) {
    // Development and test only (404 in production): what the interval job does, now, for a local check or a test.
    app.post(
      '/api/dev/proof-of-liabilities/snapshots',
      { schema: { tags: ['development'], summary: 'Take a proof-of-liabilities snapshot now (absent in production)', response: { 201: polRootRecord } } },
      async (_request, reply) => reply.code(201).send(await takeSnapshot(platform, { trigger: 'schedule', requestedBy: null })),
    );
  }

  const everyMs = platform.config.proof.snapshotIntervalMs;
  if (everyMs > 0) platform.onClose(startSnapshotJob(platform, everyMs));
}
