import type { Logger } from 'pino';
import type { Config } from '../config.ts';

const SCRUB_HEADERS = ['cookie', 'authorization', 'x-csrf-token', 'x-nowpayments-sig', 'x-api-key', 'set-cookie'];

/** Sentry only when SENTRY_DSN is set; the SDK is loaded lazily so it costs nothing otherwise. */
export async function initSentry(config: Config, log: Logger): Promise<void> {
  if (!config.sentry.dsn) return;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: config.sentry.dsn,
    environment: config.environment,
    release: config.version,
    tracesSampleRate: 0,
    beforeSend(event) {
      const req = event.request;
      if (req) {
        delete req.cookies;
        delete req.data;
        if (req.headers) for (const h of Object.keys(req.headers)) if (SCRUB_HEADERS.includes(h.toLowerCase())) req.headers[h] = '[redacted]';
      }
      return event;
    },
  });
  log.info('Sentry error reporting enabled');
}
