import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { DevOutboxMailer } from './dev-outbox.ts';
import { SendGridMailer } from './sendgrid.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email. Rejects with MailError when the provider refuses it or stays unreachable after retries. */
export interface Mailer {
  readonly kind: 'sendgrid' | 'dev-outbox';
  send(message: MailMessage): Promise<void>;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** HTTP status from the provider, or null when it was never reached. */
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export function createMailer(config: Config, log: Logger): Mailer {
  const { email } = config;
  if (email.provider === 'sendgrid' && email.sendgridApiKey) {
    return new SendGridMailer({ apiKey: email.sendgridApiKey, baseUrl: email.sendgridBaseUrl, from: email.from, sandbox: email.sendgridSandbox }, log);
  }
  return new DevOutboxMailer(log);
}

/**
 * Fire-and-forget delivery for request paths: the response must not wait on (or reveal, via timing) the
 * provider, and a failed send is logged, not surfaced. The caller's flow offers a way to ask again (resend).
 */
export function sendInBackground(mailer: Mailer, log: Logger, message: MailMessage, purpose: string): void {
  mailer.send(message).catch((err: unknown) => {
    log.error({ err: (err as Error).message, purpose, provider: mailer.kind }, 'email not delivered');
  });
}
