import type { WebConfig } from './runtimeConfig.ts';

/**
 * Browser error reporting with Sentry, only when the deployment hands out a DSN (`PUBLIC_SENTRY_DSN` through
 * /api/config): the SDK is a chunk of its own, fetched after the app has rendered, and never otherwise.
 *
 * No personal data leaves the browser: no cookies, no request bodies, no user fields, no IP address, and no token
 * in any URL the event carries (password-reset links put one in the query string).
 */

/** Query parameters whose values are secrets (reset links, socket tokens, OAuth-style codes). */
const SECRET_PARAM = /([?&#](?:token|code|key|secret|password|access_token|refresh_token|reset)=)[^&#\s]*/gi;

export function scrubUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]');
}

interface ScrubbableEvent {
  request?: { url?: string; cookies?: unknown; data?: unknown; query_string?: unknown; headers?: Record<string, string> };
  user?: unknown;
  breadcrumbs?: { data?: Record<string, unknown> }[];
}

/** Removes what must never be sent; applied to every event (beforeSend). */
export function scrubEvent<E extends ScrubbableEvent>(event: E): E {
  const req = event.request;
  if (req) {
    delete req.cookies;
    delete req.data;
    delete req.query_string;
    if (req.url) req.url = scrubUrl(req.url);
    if (req.headers) {
      for (const name of Object.keys(req.headers)) {
        const lower = name.toLowerCase();
        if (lower === 'cookie' || lower === 'authorization' || lower === 'x-csrf-token') delete req.headers[name];
        else if (lower === 'referer') req.headers[name] = scrubUrl(req.headers[name] ?? '');
      }
    }
  }
  delete event.user;
  for (const b of event.breadcrumbs ?? []) scrubBreadcrumbData(b.data);
  return event;
}

/** Navigation and fetch breadcrumbs carry URLs (`from`, `to`, `url`). */
export function scrubBreadcrumbData(data: Record<string, unknown> | undefined): void {
  if (!data) return;
  for (const key of ['url', 'from', 'to']) if (typeof data[key] === 'string') data[key] = scrubUrl(data[key] as string);
}

type SentryReact = typeof import('@sentry/react');

/** Starts Sentry when the config has a DSN; `load` is the dynamic import (a test passes its own). */
export async function startErrorReporting(
  config: Pick<WebConfig, 'sentryDsn' | 'version' | 'environment'>,
  load: () => Promise<SentryReact> = () => import('@sentry/react'),
): Promise<boolean> {
  if (!config.sentryDsn) return false;
  const Sentry = await load();
  Sentry.init({
    dsn: config.sentryDsn,
    release: config.version,
    environment: config.environment,
    // Errors only: no tracing, no session replay, no user data.
    tracesSampleRate: 0,
    dataCollection: { userInfo: false, cookies: false, httpBodies: [], urlQueryParams: false },
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => {
      scrubBreadcrumbData(breadcrumb.data);
      return breadcrumb;
    },
  });
  return true;
}
