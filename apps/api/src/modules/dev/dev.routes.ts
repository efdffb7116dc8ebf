import { outboxResponse } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/index.ts';
import { DevOutboxMailer } from '../../platform/mailer/dev-outbox.ts';

/** Development helpers owned by no single domain. Registered only when devToolsEnabled (404 in production). */
export async function registerDev(root: FastifyInstance, platform: Pick<Platform, 'config' | 'mailer'>): Promise<void> {
  if (!platform.config.devToolsEnabled) return;
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/dev/outbox',
    {
      schema: {
        tags: ['development'],
        summary: 'Emails kept by the development mailer, newest first (absent in production)',
        querystring: z.object({ to: z.string().max(254).optional() }),
        response: { 200: outboxResponse },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      // Emails started by an earlier response are personalised asynchronously; wait until they reached the outbox.
      await platform.mailer.idle();
      const { transport } = platform.mailer;
      return { items: transport instanceof DevOutboxMailer ? transport.list(request.query.to) : [] };
    },
  );
}
