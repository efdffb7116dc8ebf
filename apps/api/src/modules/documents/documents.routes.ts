import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DOCUMENT_ACCESS_PATH, documentFileName } from '../../platform/documents/index.ts';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { requireAdmin, requireUser } from '../../platform/principal.ts';

/**
 * The one way a stored document leaves the server: a short-lived signed link (platform/documents: `signAccess`,
 * issued by the route that checked the viewer's right to it, e.g. the KYC review detail), opened by that same
 * signed-in viewer while it is valid. Someone else's session, an expired or altered link: no document.
 */
export async function registerDocuments(root: FastifyInstance, platform: Pick<Platform, 'documents' | 'locks' | 'config' | 'log'>): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const retention = retentionJob(platform);
  root.addHook('onReady', async () => retention.start());
  root.addHook('onClose', async () => retention.stop());
  app.route({
    method: 'GET',
    url: `${DOCUMENT_ACCESS_PATH}/:token`,
    schema: {
      tags: ['kyc'],
      summary: 'Open a stored document through a short-lived signed link (only by the viewer it was issued to)',
      params: z.object({ token: z.string().min(16).max(2048) }),
    },
    handler: async (request, reply) => {
      const p = requireUser(request);
      const grant = platform.documents.verifyAccess(request.params.token);
      // A link issued to someone else is, to this caller, a document that does not exist.
      if (grant.viewerId !== p.userId) throw new AppError('NOT_FOUND', 'Document not found');
      // role: compliance (operator links: the viewer must still be an operator when opening it)
      if (grant.audience === 'operator') requireAdmin(request);
      const { document, bytes } = await platform.documents.read(grant.documentId);
      if (grant.audience === 'owner' && document.ownerId !== p.userId) throw new AppError('NOT_FOUND', 'Document not found');
      return reply
        .header('content-type', document.contentType)
        .header('content-length', String(bytes.length))
        .header('content-disposition', `inline; filename="${documentFileName(document)}"`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        .header('cross-origin-resource-policy', 'same-origin')
        .send(bytes);
    },
  });
}

/**
 * The retention schedule: every DOCUMENT_SWEEP_INTERVAL_MINUTES one machine (the lock's holder) deletes the documents
 * whose `delete_after` has passed (DOCUMENT_RETENTION_DAYS after upload unless the owner module set another date).
 */
export function retentionJob(platform: Pick<Platform, 'documents' | 'locks' | 'config' | 'log'>) {
  let timer: NodeJS.Timeout | null = null;
  const sweep = async (): Promise<number> => {
    const token = await platform.locks.acquire('documents:retention', 10 * 60_000);
    if (!token) return 0;
    try {
      const deleted = await platform.documents.sweepExpired();
      if (deleted > 0) platform.log.info({ deleted }, 'retention: deleted expired documents');
      return deleted;
    } finally {
      await platform.locks.release('documents:retention', token);
    }
  };
  return {
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        sweep().catch((err: unknown) => platform.log.error({ err }, 'document retention sweep failed'));
      }, platform.config.documents.sweepIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
