import type { Bot, Context } from 'grammy';
import type { Platform } from '../../platform/index.ts';
import { type AuthDeps, findUserById } from '../auth/index.ts';
import { reviewQueue } from '../payments/index.ts';
import { withdrawalQueue } from '../withdrawals/index.ts';
import { clearPending, type DecisionKind, decide, promptFor, setPending, takePending } from './telegram.decisions.ts';
import { depositButtons, depositReviewAlert, maskEmail, shortId, withdrawalAlert, withdrawalButtons } from './telegram.format.ts';
import { decisionProblem, LINK_ATTEMPTS, linkChat, unlink } from './telegram.link.ts';
import * as repo from './telegram.repo.ts';
import type { TelegramLinkRow } from './telegram.schema.ts';

const REFUSAL =
  'Sorry, this bot only answers CryptoVault operators who linked their account. ' +
  'An operator links it from the console (Admin → Telegram → Get a link code) and sends /link CODE here.';
const HELP = [
  '<b>CryptoVault operations</b>',
  '/pending: withdrawals and deposits waiting for review, with buttons',
  '/cancel: stop a decision you started',
  '/unlink: stop receiving alerts here',
  'Every decision asks for your 6-digit authenticator code.',
].join('\n');
/** Refusals per chat and hour: a stranger cannot make the bot send messages without end. */
const REFUSALS = { name: 'telegram:refuse:chat', limit: 3, windowMs: 3_600_000 };
const CALLBACK = /^(wd:a|wd:r|dp:c|dp:x):([0-9a-f-]{36})$/;

const requestIdOf = (ctx: Context) => `telegram:${ctx.update.update_id}`;
const isPrivate = (ctx: Context) => ctx.chat?.type === 'private';

/** The bot's conversation: linking, refusals, the queue, and decisions confirmed with the operator's code. */
export function registerHandlers(bot: Bot, platform: Platform, auth: AuthDeps): void {
  const db = platform.database.db;

  async function refuse(ctx: Context): Promise<void> {
    const chat = ctx.chat?.id ?? ctx.from?.id;
    if (chat === undefined || !(await platform.rateLimiter.check(REFUSALS, String(chat))).allowed) return;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: 'Only linked CryptoVault operators can use these buttons.', show_alert: true });
    else if (isPrivate(ctx)) await ctx.reply(REFUSAL);
  }

  bot.command('link', async (ctx) => {
    if (!isPrivate(ctx) || !ctx.from) return; // never in a group: the code would be seen by everyone there
    if (!(await platform.rateLimiter.check(LINK_ATTEMPTS, String(ctx.chat.id))).allowed) {
      await ctx.reply('Too many link attempts from this chat: try again in 15 minutes.');
      return;
    }
    const code = ctx.match.trim();
    if (!code) {
      await ctx.reply('Send the code from the console after the command, e.g. /link K7QF-3MZP');
      return;
    }
    const r = await linkChat(platform, auth, {
      code,
      chatId: ctx.chat.id,
      telegramUserId: ctx.from.id,
      username: ctx.from.username ?? null,
      requestId: requestIdOf(ctx),
    });
    if (!r.ok) {
      await ctx.reply(r.message);
      return;
    }
    const user = await findUserById(db, r.link.userId);
    await ctx.reply(`Linked to ${maskEmail(user?.email ?? '')}. You will receive alerts here.\n\n${HELP}`, { parse_mode: 'HTML' });
  });

  // Everything below is for linked operators only; everyone else gets one polite refusal and nothing else.
  bot.use(async (ctx, next) => {
    const link = ctx.from ? await repo.linkOfTelegramUser(db, ctx.from.id) : null;
    // Messages only in the operator's own private chat; buttons also on alerts in the ops group.
    if (!link || (!ctx.callbackQuery && ctx.chat?.id !== link.chatId)) {
      if (!ctx.chat || isPrivate(ctx) || ctx.callbackQuery) await refuse(ctx);
      return;
    }
    (ctx as Context & { link: TelegramLinkRow }).link = link;
    await next();
  });
  const linkOf = (ctx: Context) => (ctx as Context & { link: TelegramLinkRow }).link;

  bot.command(['start', 'help'], (ctx) => ctx.reply(HELP, { parse_mode: 'HTML' }));

  bot.command('unlink', async (ctx) => {
    await unlink(platform, { adminId: linkOf(ctx).userId, requestId: requestIdOf(ctx), channel: 'telegram' });
    await clearPending(platform, ctx.chat.id);
    await ctx.reply('Unlinked: this chat receives no more alerts. Link again from the console whenever you like.');
  });

  bot.command('cancel', async (ctx) => {
    await clearPending(platform, ctx.chat.id);
    await ctx.reply('Canceled: nothing was changed.');
  });

  bot.command('pending', async (ctx) => {
    const problem = decisionProblem(await findUserById(db, linkOf(ctx).userId));
    if (problem) {
      await ctx.reply(problem);
      return;
    }
    const [wd, dep] = await Promise.all([
      withdrawalQueue(platform, { limit: 5, status: 'pending_review' }),
      reviewQueue(platform, { limit: 5, review: 'pending' }),
    ]);
    if (wd.items.length === 0 && dep.items.length === 0) {
      await ctx.reply('Nothing is waiting for review.');
      return;
    }
    for (const w of wd.items) {
      const body = withdrawalAlert({ ...w, withdrawalId: w.id, userId: w.userId }, `${maskEmail(w.userEmail)} (${shortId(w.userId)})`).replace(
        'Large withdrawal waiting for review',
        `Withdrawal waiting for review · ${w.approvals} of ${w.requiredApprovals} approvals`,
      );
      await ctx.reply(body, { parse_mode: 'HTML', reply_markup: withdrawalButtons(w.id) });
    }
    for (const d of dep.items) {
      const body = depositReviewAlert(
        { depositId: d.id, amountUsd: d.amountUsd, status: d.status, reason: d.reviewReason },
        `${maskEmail(d.userEmail)} (${shortId(d.userId)})`,
      );
      await ctx.reply(body, { parse_mode: 'HTML', reply_markup: depositButtons(d.id) });
    }
  });

  bot.on('callback_query:data', async (ctx) => {
    const m = CALLBACK.exec(ctx.callbackQuery.data);
    if (!m) {
      await ctx.answerCallbackQuery();
      return;
    }
    const link = linkOf(ctx);
    const problem = decisionProblem(await findUserById(db, link.userId));
    if (problem) {
      await ctx.answerCallbackQuery({ text: problem, show_alert: true });
      return;
    }
    const kind = m[1] as DecisionKind;
    const id = m[2]!;
    const msg = ctx.callbackQuery.message;
    await setPending(platform, link.chatId, {
      kind,
      id,
      ...(msg ? { message: { chatId: msg.chat.id, messageId: msg.message_id, text: 'text' in msg ? (msg.text ?? '') : '' } } : {}),
    });
    await ctx.answerCallbackQuery({ text: 'Send your authenticator code in your private chat with the bot.' });
    await ctx.api.sendMessage(link.chatId, `${promptFor(kind, id)}\n/cancel stops.`, { parse_mode: 'HTML' });
  });

  bot.on('message:text', async (ctx) => {
    const link = linkOf(ctx);
    const pending = await takePending(platform, ctx.chat.id);
    if (!pending) {
      await ctx.reply(HELP, { parse_mode: 'HTML' });
      return;
    }
    const r = await decide(platform, auth, { userId: link.userId, pending, text: ctx.message.text, requestId: requestIdOf(ctx) });
    if (r.done) await clearPending(platform, ctx.chat.id);
    // The code is a secret of a moment: take it out of the chat history.
    await ctx.deleteMessage().catch(() => undefined);
    await ctx.reply(r.reply);
    const alert = pending.message;
    if (r.outcome && alert && (alert.chatId === link.chatId || !r.outcome.startsWith('☑️'))) {
      const text = `${alert.text}\n\n${r.outcome} by ${maskEmail((await findUserById(db, link.userId))?.email ?? '')}`;
      await ctx.api.editMessageText(alert.chatId, alert.messageId, text).catch(() => undefined);
    }
  });
}
