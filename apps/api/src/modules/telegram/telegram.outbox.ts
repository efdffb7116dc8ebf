import { type Api, GrammyError, HttpError } from 'grammy';
import type { Platform } from '../../platform/index.ts';
import * as repo from './telegram.repo.ts';

const BATCH = 20;
/** A claimed alert is someone's for this long: a crash mid-send leaves it for a later attempt. */
const LEASE_SECONDS = 60;
const MAX_ATTEMPTS = 12;
const EVERY_MS = 5_000;

/** What a failed Bot API call says, without the bot token (network errors name the URL, which contains it). */
export function describeTelegramError(err: unknown, token: string): string {
  let msg: string;
  if (err instanceof GrammyError) msg = `${err.error_code}: ${err.description}`;
  else if (err instanceof HttpError) msg = `network: ${(err.error as Error | undefined)?.message ?? err.message}`;
  else msg = (err as Error)?.message ?? String(err);
  return msg.split(token).join('[token]');
}

/**
 * Sends queued alerts (telegram_outbox) with retries and backoff, on every machine (rows are claimed with SKIP
 * LOCKED, so two machines never send one alert at once). Enqueueing is the only thing the event path does: a
 * Telegram outage delays alerts, never a withdrawal.
 */
export class AlertDispatcher {
  private timer: NodeJS.Timeout | null = null;
  /** Runs one after another: a flush waits for the one before it. */
  private chain: Promise<unknown> = Promise.resolve();
  /** A flush that has not started yet covers every call made before it starts. */
  private queued: Promise<number> | null = null;

  constructor(
    private readonly platform: Platform,
    private readonly api: Api,
    private readonly token: string,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
  }

  /** Sends what is due, in the background. */
  kick(): void {
    this.flush().catch((err) => this.platform.log.warn({ err: describeTelegramError(err, this.token) }, 'telegram outbox flush failed'));
  }

  /** Sends every alert due when it starts; resolves with how many were delivered. */
  flush(): Promise<number> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = null;
      return this.drain();
    });
    this.queued = run;
    this.chain = run.catch(() => 0);
    return run;
  }

  private async drain(): Promise<number> {
    const db = this.platform.database.db;
    let sent = 0;
    for (;;) {
      const due = await repo.claimDue(db, BATCH, LEASE_SECONDS, MAX_ATTEMPTS);
      if (due.length === 0) return sent;
      for (const a of due) {
        try {
          await this.api.sendMessage(a.chatId, a.body, {
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...(a.replyMarkup ? { reply_markup: a.replyMarkup as never } : {}),
          });
          await repo.markSent(db, a.id);
          sent++;
        } catch (err) {
          await repo.markFailed(db, a.id, describeTelegramError(err, this.token), retryIn(err, a.attempts));
        }
      }
      if (due.length < BATCH) return sent;
    }
  }
}

/** Seconds until the next attempt: Telegram's retry_after when it sent one, else 10 s doubling to an hour; null gives up. */
function retryIn(err: unknown, attempts: number): number | null {
  if (err instanceof GrammyError) {
    if (err.parameters.retry_after) return err.parameters.retry_after;
    // 400 (chat not found) and 403 (the operator blocked the bot): no retry will change the answer.
    if (err.error_code === 400 || err.error_code === 403) return null;
  }
  return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}
