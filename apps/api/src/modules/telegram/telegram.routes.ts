import { apiRoutes, errorBodySchema, okResponse } from '@cryptovault/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Update } from 'grammy/types';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendError } from '../../http/errors.ts';
import { endpoint } from '../../http/route-table.ts';
import type { Platform } from '../../platform/index.ts';
import { AppError } from '../../platform/errors.ts';
import { requireAdmin, requireStepUp } from '../../platform/principal.ts';
import { describeTelegramError } from './telegram.outbox.ts';
import { linkStatus, unlink } from './telegram.link.ts';
import { secretMatches, type TelegramOps } from './telegram.service.ts';

const tags = ['telegram'];
export const TELEGRAM_WEBHOOK_URL = '/api/telegram/webhook';
/** Updates are small (a message, a button press); Telegram's limit for one is far below this. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

const operator = (request: FastifyRequest) => ({ adminId: requireAdmin(request).userId, requestId: String(request.id) });
const off = () => new AppError('UNAVAILABLE', 'The Telegram bot is not configured on this deployment (TELEGRAM_BOT_TOKEN)');

export async function registerTelegram(root: FastifyInstance, { platform, telegram }: { platform: Platform; telegram: TelegramOps | null }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.route({
    ...endpoint(apiRoutes.telegram.status, { tags, summary: "The signed-in operator's Telegram link" }),
    handler: async (request) => {
      const { adminId } = operator(request);
      return telegram ? telegram.status(adminId) : linkStatus(platform, adminId, false, null);
    },
  });
  app.route({
    ...endpoint(apiRoutes.telegram.linkCode, {
      tags,
      summary: 'A one-time code (10 minutes) to link Telegram: sent to the bot as /link CODE; needs a fresh step-up (403 STEP_UP_REQUIRED)',
    }),
    handler: async (request, reply) => {
      const ctx = operator(request);
      requireStepUp(request, platform.config.auth.stepUpTtlSeconds);
      if (!telegram) throw off();
      return reply.code(201).send(await telegram.issueLinkCode(ctx));
    },
  });
  app.route({
    ...endpoint(apiRoutes.telegram.unlink, { tags, summary: 'Unlink the Telegram account: no more alerts or decisions from it' }),
    handler: async (request) => {
      const ctx = operator(request);
      if (telegram) return telegram.unlink(ctx);
      // With the bot switched off a link made earlier can still be removed (it would be live again on re-enabling).
      await unlink(platform, { ...ctx, channel: 'console' });
      return linkStatus(platform, ctx.adminId, false, null);
    },
  });

  if (!telegram) return;
  app.addHook('onReady', async () => telegram.start());
  app.addHook('onClose', async () => telegram.stop());
  if (telegram.config.mode !== 'webhook') return;
  const secret = telegram.config.webhookSecret!;
  const token = telegram.config.botToken;
  app.post(
    TELEGRAM_WEBHOOK_URL,
    {
      config: { csrf: false },
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // Before the body is read: a caller without the secret gets nothing parsed, stored or answered by the bot.
      onRequest: async (request, reply) => {
        if (!secretMatches(request.headers['x-telegram-bot-api-secret-token'], secret)) {
          return sendError(reply, request, 401, 'UNAUTHENTICATED', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
        }
      },
      schema: {
        tags: ['webhooks'],
        summary: 'Telegram Bot API webhook (X-Telegram-Bot-Api-Secret-Token required)',
        response: { 200: okResponse, 400: errorBodySchema, 401: errorBodySchema, 413: errorBodySchema },
      },
    },
    async (request, reply) => {
      const update = request.body as Update | undefined;
      if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') {
        return sendError(reply, request, 400, 'VALIDATION_ERROR', 'Not a Telegram update (update_id missing)');
      }
      try {
        await telegram.handleUpdate(update);
      } catch (err) {
        // Answered 200 all the same: Telegram would deliver the update again, and a decision must not run twice.
        request.log.warn(
          { err: describeTelegramError((err as { error?: unknown }).error ?? err, token), updateId: update.update_id },
          'telegram update failed',
        );
      }
      return { ok: true as const };
    },
  );
}
