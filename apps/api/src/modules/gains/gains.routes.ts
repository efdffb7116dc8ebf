import { Readable } from 'node:stream';
import { apiRoutes } from '@cryptovault/contract';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { endpoint } from '../../http/route-table.ts';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { requireUser } from '../../platform/principal.ts';
import { contactOf } from '../auth/index.ts';
import { methodOf, setMethod } from './gains.repo.ts';
import { reportCsv, reportPdf } from './gains.report.ts';
import { createBooksReader, pnlOf, reportRows, reportTotals } from './gains.service.ts';

const tags = ['gains'];

/** Reports re-read the whole history: a few a minute per user is plenty for a person, and bounds the load. */
const REPORT_LIMIT = { name: 'gains:report', limit: 10, windowMs: 60_000 };
const PNL_LIMIT = { name: 'gains:pnl', limit: 120, windowMs: 60_000 };

async function limit(platform: Pick<Platform, 'rateLimiter'>, rule: typeof REPORT_LIMIT, userId: string, what: string): Promise<void> {
  const r = await platform.rateLimiter.check(rule, userId);
  if (!r.allowed) {
    throw new AppError(
      'RATE_LIMITED',
      `Too many ${what} requests; try again in ${r.retryAfterSeconds} seconds`,
      { retryAfterSeconds: r.retryAfterSeconds },
      r.retryAfterSeconds,
    );
  }
}

export async function registerGains(root: FastifyInstance, platform: Pick<Platform, 'database' | 'prices' | 'cache' | 'rateLimiter'>): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const db = platform.database.db;
  const books = createBooksReader(platform.cache);

  app.route({
    ...endpoint(apiRoutes.gains.settings, { tags, summary: 'Your cost-basis method (FIFO unless chosen)' }),
    handler: async (request) => ({ method: await methodOf(db, requireUser(request).userId) }),
  });
  app.route({
    ...endpoint(apiRoutes.gains.setSettings, { tags, summary: 'Choose the cost-basis method: gains and reports are recomputed with it' }),
    handler: async (request) => {
      const { userId } = requireUser(request);
      await setMethod(db, userId, request.body.method);
      return { method: request.body.method };
    },
  });
  app.route({
    ...endpoint(apiRoutes.gains.pnl, { tags, summary: 'Realised and unrealised P&L per asset, by your cost-basis method' }),
    handler: async (request) => {
      const { userId } = requireUser(request);
      await limit(platform, PNL_LIMIT, userId, 'P&L');
      const method = await methodOf(db, userId);
      return pnlOf(method, await books(db, userId, method), platform.prices);
    },
  });
  app.route({
    ...endpoint(apiRoutes.gains.report, { tags, summary: 'The yearly realised-gains report as CSV or PDF (streamed)' }),
    handler: async (request, reply) => {
      const { userId } = requireUser(request);
      await limit(platform, REPORT_LIMIT, userId, 'report');
      const { format } = request.query;
      const year = request.query.year ?? new Date().getUTCFullYear();
      const method = request.query.method ?? (await methodOf(db, userId));
      const name = `cryptovault-gains-${year}-${method}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store');
      if (format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        return reply.send(Readable.from(reportCsv(reportRows(db, userId, method, year))));
      }
      // Two passes: the totals for the title page (and the page count), then the rows as they are drawn.
      const [contact, first] = await Promise.all([contactOf(db, userId), reportTotals(db, userId, method, year)]);
      const doc = reportPdf(
        { name: contact?.name ?? '', email: contact?.email ?? '', year, method, totals: first.totals, notes: first.notes, generatedAt: new Date() },
        reportRows(db, userId, method, year),
      );
      reply.header('content-type', 'application/pdf');
      return reply.send(doc);
    },
  });
}
