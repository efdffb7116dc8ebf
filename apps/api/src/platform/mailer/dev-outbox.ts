import type { Logger } from 'pino';
import type { Mailer, MailMessage } from './mailer.ts';

export interface OutboxEntry extends MailMessage {
  sentAt: string;
}

/**
 * Development and test mailer: logs each message (subject and recipient, not the body) and keeps the latest ones
 * in memory for GET /api/dev/outbox. Storing happens synchronously inside send(), so a response that triggered
 * an email can be followed at once by a read of the outbox.
 */
export class DevOutboxMailer implements Mailer {
  readonly kind = 'dev-outbox' as const;
  private readonly entries: OutboxEntry[] = [];

  constructor(
    private readonly log: Logger,
    private readonly capacity = 1000,
  ) {}

  send(message: MailMessage): Promise<void> {
    this.entries.push({ ...message, sentAt: new Date().toISOString() });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.log.info({ to: message.to, subject: message.subject }, 'email kept in the development outbox');
    return Promise.resolve();
  }

  /** Newest first; `to` is compared case-insensitively. */
  list(to?: string): OutboxEntry[] {
    const wanted = to?.trim().toLowerCase();
    const items = wanted ? this.entries.filter((e) => e.to.toLowerCase() === wanted) : this.entries;
    return [...items].reverse();
  }
}
