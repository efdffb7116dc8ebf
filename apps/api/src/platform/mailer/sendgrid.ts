import type { Logger } from 'pino';
import { MailError, type Mailer, type MailMessage } from './mailer.ts';

export interface SendGridOptions {
  apiKey: string;
  baseUrl: string;
  /** `Name <address>` or a bare address. */
  from: string;
  /** mail_settings.sandbox_mode: SendGrid validates the request and answers 200, sending nothing. */
  sandbox?: boolean;
  /** Waits before each retry; the number of entries is the number of retries. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
}

export function parseAddress(raw: string): { email: string; name?: string } {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(raw);
  if (m?.[2]) return m[1] ? { email: m[2].trim(), name: m[1].replace(/^"|"$/g, '') } : { email: m[2].trim() };
  return { email: raw.trim() };
}

/** SendGrid v3 Mail Send over HTTPS (no SDK for one endpoint). 202 means accepted for delivery. */
export class SendGridMailer implements Mailer {
  readonly kind = 'sendgrid' as const;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;

  constructor(
    private readonly options: SendGridOptions,
    private readonly log: Logger,
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [500, 2000, 5000];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(message: MailMessage): Promise<void> {
    const body = JSON.stringify({
      personalizations: [{ to: [{ email: message.to }] }],
      from: parseAddress(this.options.from),
      subject: message.subject,
      content: [
        { type: 'text/plain', value: message.text },
        { type: 'text/html', value: message.html },
      ],
      ...(this.options.sandbox ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
    });
    let lastError: MailError | null = null;
    for (let attempt = 0; attempt <= this.retryDelaysMs.length; attempt++) {
      if (attempt > 0) await sleep(this.retryDelaysMs[attempt - 1] ?? 0);
      lastError = await this.attempt(body);
      if (!lastError) return;
      // Only the recipient domain is logged: addresses are personal data.
      const logLine = { provider: 'sendgrid', status: lastError.status, attempt: attempt + 1, toDomain: message.to.split('@')[1], subject: message.subject };
      if (!lastError.retryable) {
        this.log.error(logLine, `sendgrid refused the email: ${lastError.message}`);
        throw lastError;
      }
      this.log.warn(logLine, `sendgrid send failed, ${attempt < this.retryDelaysMs.length ? 'retrying' : 'giving up'}: ${lastError.message}`);
    }
    throw lastError ?? new MailError('sendgrid send failed', null, true);
  }

  /** null on success. */
  private async attempt(body: string): Promise<MailError | null> {
    let res: Response;
    try {
      res = await fetch(`${this.options.baseUrl}/v3/mail/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return new MailError(`sendgrid unreachable: ${(err as Error).message}`, null, true);
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return null;
    const retryable = res.status === 429 || res.status >= 500;
    return new MailError(`HTTP ${res.status}${describeErrors(text)}`, res.status, retryable);
  }
}

/** SendGrid error bodies are `{ errors: [{ message, field }] }`. */
function describeErrors(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: { message?: string; field?: string | null }[] };
    const parts = (parsed.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : String(e.message)));
    return parts.length ? ` (${parts.join('; ').slice(0, 300)})` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
