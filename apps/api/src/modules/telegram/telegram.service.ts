import { timingSafeEqual, createHash } from 'node:crypto';
import type { TelegramLinkCode, TelegramStatus } from '@cryptovault/contract';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Config } from '../../config.ts';
import type { CheckResult, Platform } from '../../platform/index.ts';
import type { AuthDeps } from '../auth/index.ts';
import { OpsMonitor, subscribeAlerts } from './telegram.alerts.ts';
import { registerHandlers } from './telegram.bot.ts';
import { issueLinkCode, linkStatus, type OperatorCtx, unlink } from './telegram.link.ts';
import { AlertDispatcher, describeTelegramError } from './telegram.outbox.ts';

type TelegramConfig = NonNullable<Config['telegram']>;

/** An update Telegram delivers again (a slow answer, a retry) is handled once: ids are remembered for a day. */
const UPDATE_TTL_MS = 86_400_000;

/** Compares the secret-token header with the configured secret in constant time (digests of equal length). */
export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The Telegram operations bot: the grammy bot and its conversation, the alert outbox dispatcher, the ops monitor,
 * and the console's link operations. Built by the composition root only when TELEGRAM_BOT_TOKEN is set.
 */
export class TelegramOps {
  readonly bot: Bot;
  readonly dispatcher: AlertDispatcher;
  readonly monitor: OpsMonitor;
  private unsubscribe: (() => void) | null = null;
  private polling: Promise<void> | null = null;
  private initializing: Promise<void> | null = null;

  constructor(
    private readonly platform: Platform,
    private readonly auth: AuthDeps,
    readonly config: TelegramConfig,
    namespace: string,
    priceHealth: () => CheckResult,
  ) {
    // A short timeout: alerts are retried by the outbox, and a webhook answer must not hang on Telegram.
    this.bot = new Bot(config.botToken, { client: { apiRoot: config.apiRoot, timeoutSeconds: 10 } });
    this.bot.catch((err) => platform.log.warn({ err: describeTelegramError(err.error, config.botToken) }, 'telegram update failed'));
    registerHandlers(this.bot, platform, auth);
    this.dispatcher = new AlertDispatcher(platform, this.bot.api, config.botToken);
    this.monitor = new OpsMonitor(platform, namespace, priceHealth, () => this.dispatcher.kick());
  }

  get botUsername(): string | null {
    return this.bot.isInited() ? this.bot.botInfo.username : null;
  }

  /** Background work, from the app's onReady: alert subscriptions, the outbox, the monitor, polling in development. */
  start(): void {
    this.unsubscribe ??= subscribeAlerts(this.platform, () => this.dispatcher.kick());
    this.dispatcher.start();
    this.monitor.start();
    void this.ensureInit().catch(() => undefined);
    if (this.config.mode === 'polling' && !this.polling) {
      this.polling = this.bot.start({ allowed_updates: ['message', 'callback_query'] }).catch((err) => {
        this.platform.log.warn({ err: describeTelegramError(err, this.config.botToken) }, 'telegram polling stopped');
      });
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.polling) {
      await this.bot.stop().catch(() => undefined);
      this.polling = null;
    }
    await this.monitor.stop();
    await this.dispatcher.stop();
  }

  /**
   * The bot's own identity (getMe), once. One attempt at a time with the client's timeout, not grammy's init(),
   * which retries for up to an hour: a webhook answer must not hang while Telegram is unreachable.
   */
  private async ensureInit(): Promise<void> {
    if (this.bot.isInited()) return;
    this.initializing ??= this.bot.api
      .getMe()
      .then((me) => {
        if (!this.bot.isInited()) this.bot.botInfo = me;
      })
      .finally(() => {
        this.initializing = null;
      });
    await this.initializing;
  }

  /** One webhook update (the route checked the secret); a repeat of an update already handled is ignored. */
  async handleUpdate(update: Update): Promise<void> {
    const seen = await this.platform.cache.incr(`telegram:update:${this.config.botToken.split(':')[0]}:${update.update_id}`, UPDATE_TTL_MS);
    if (seen.count > 1) return;
    await this.ensureInit();
    await this.bot.handleUpdate(update);
  }

  /** The bot's @username for the console: asks Telegram (at most 2 s) when it is not known yet, else null. */
  private async knownUsername(): Promise<string | null> {
    if (!this.bot.isInited()) {
      await Promise.race([this.ensureInit().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    return this.botUsername;
  }

  async issueLinkCode(ctx: OperatorCtx): Promise<TelegramLinkCode> {
    return issueLinkCode(this.platform, this.auth, ctx, await this.knownUsername());
  }

  async unlink(ctx: OperatorCtx): Promise<TelegramStatus> {
    await unlink(this.platform, { ...ctx, channel: 'console' });
    return this.status(ctx.adminId);
  }

  async status(userId: string): Promise<TelegramStatus> {
    return linkStatus(this.platform, userId, true, await this.knownUsername());
  }
}
