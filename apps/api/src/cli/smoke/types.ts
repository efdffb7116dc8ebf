export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  target: 'api' | 'web';
  url: string;
  check: string;
  status: Status;
  detail: string;
  ms: number;
}

export interface SmokeOptions {
  /** The API origin (e.g. the Fly app), tested directly. */
  api: string;
  /** The web origin (Vercel), tested as browsers reach the API through its rewrites. */
  web?: string | undefined;
  /** The web app's origin for CORS and cookie rules when it differs from `web` (default: `web`, else appUrl). */
  origin?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
  /** How long a socket may take to deliver its `prices` events. */
  socketTimeoutMs: number;
}

export interface RuntimeConfigBody {
  appUrl?: string;
  apiBaseUrl?: string;
  wsBaseUrl?: string;
  socketIoPath?: string;
  environment?: string;
  version?: string;
  region?: string | null;
}

/** What the checks of one target share. */
export interface TargetContext {
  kind: 'api' | 'web';
  url: string;
  opts: SmokeOptions;
  /** The web app's origin, once known (option, or the API's appUrl). */
  webOrigin: string | undefined;
  /** Secure cookies are required when anything involved is https. */
  requireSecure: boolean;
  config: RuntimeConfigBody | null;
  /** The API target's /api/config, for the web target to compare with. */
  apiConfig: RuntimeConfigBody | null;
}

export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly status: Status = 'fail',
  ) {
    super(message);
  }
}

export function origin(url: string): string {
  return new URL(url).origin;
}

/**
 * Whether browsers reach the API on the web app's own origin (Vercel's rewrite, or embedded): then the session
 * cookies never need to travel cross-site, and SameSite=None only widens what other sites can make them carry.
 */
export function sameOrigin(ctx: TargetContext): boolean {
  const c = ctx.config ?? ctx.apiConfig;
  if (!c?.apiBaseUrl || !c.appUrl) return false;
  return origin(c.apiBaseUrl) === origin(c.appUrl);
}
