import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { DevOutboxMailer } from './dev-outbox.ts';
import { SendGridMailer } from './sendgrid.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * A security notice (new device, 2FA, password, address book, ...): the personalising step adds a one-time
   * "this wasn't me" link that freezes the account. Never sent to the provider.
   */
  securityNotice?: boolean;
}

/** Rewrites a message before it is sent (the anti-phishing code, the freeze link); registered by a module. */
export type MailPersonalizer = (message: MailMessage) => Promise<MailMessage>;

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

function createTransport(config: Config, log: Logger): Mailer {
  const { email } = config;
  if (email.provider === 'sendgrid' && email.sendgridApiKey) {
    return new SendGridMailer({ apiKey: email.sendgridApiKey, baseUrl: email.sendgridBaseUrl, from: email.from, sandbox: email.sendgridSandbox }, log);
  }
  return new DevOutboxMailer(log);
}

/**
 * The one way out for every email: each message passes the registered personalizers (the security module adds the
 * recipient's anti-phishing code and, for security notices, a freeze link) and then the transport (SendGrid or
 * the development outbox). A personalizer that fails fails the send: an email without the code the owner expects
 * is what a phisher would send.
 */
export class PersonalizingMailer implements Mailer {
  readonly kind: Mailer['kind'];
  private readonly personalizers: MailPersonalizer[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(readonly transport: Mailer) {
    this.kind = transport.kind;
  }

  use(personalizer: MailPersonalizer): void {
    this.personalizers.push(personalizer);
  }

  send(message: MailMessage): Promise<void> {
    const run = async () => {
      let m = message;
      for (const p of this.personalizers) m = await p(m);
      const { securityNotice: _notice, ...out } = m;
      await this.transport.send(out);
    };
    const p = run();
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return p;
  }

  /** Resolves when every send started so far has reached the transport (or failed): for the development outbox. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}

export function createMailer(config: Config, log: Logger): PersonalizingMailer {
  return new PersonalizingMailer(createTransport(config, log));
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
