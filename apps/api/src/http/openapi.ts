import { API_KEY_SCOPES, errorBodySchema, scopesAllowing } from '@cryptovault/contract';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';

/**
 * The OpenAPI document a client generator can use, completed in one place from what every route already declares
 * (method, URL, CSRF exemption, rate limit) and from the auth requirement table below: security requirements,
 * operation ids, the error responses of the contract's error shape, tag descriptions. Route files stay as they are.
 */

export type AuthRequirement = 'public' | 'user' | 'admin';

/** Admin routes: a signed-in administrator with 2FA (requireAdmin). */
const ADMIN = [/^\/api\/admin\//, /^\/api\/fly\/(status|instances)$/];
/**
 * Routes that answer without a session. Everything else under /api needs one (requireUser), which a test checks
 * against the routes' real answers to an anonymous caller, so this table cannot drift from the handlers quietly.
 */
const PUBLIC = [
  /^\/(health|ping|csrf|metrics)(\/|$)/,
  /^\/api\/(health|ping|csrf|config|openapi\.json)$/,
  /^\/api\/docs(\/|$)/,
  /^\/api\/crypto(\/|$)/,
  /^\/api\/proof-of-liabilities(\/history)?$/,
  /^\/api\/legal\/(documents(\/|$)|fees$|geo$)/,
  /^\/api\/fly\/(region|health\/fly)$/,
  /^\/api\/auth\/(signup|login|verify-email|resend-verification|forgot-password|reset-password|refresh|logout|session)$/,
  // Authenticated by the setup link's one-time token, not a session.
  /^\/api\/setup\/(begin|complete)$/,
  // Authenticated by an emailed one-time token (address confirmation, "this wasn't me", unfreeze), not a session.
  /^\/api\/wallet\/withdrawal-addresses\/confirm$/,
  /^\/api\/security\/(freeze|unfreeze)$/,
  // Authenticated by the provider's signature, not a session.
  /^\/api\/webhooks\//,
  /^\/api\/dev\/(outbox|market\/|proof-of-liabilities\/)/,
];

export function authRequirementOf(url: string): AuthRequirement {
  if (ADMIN.some((r) => r.test(url))) return 'admin';
  if (PUBLIC.some((r) => r.test(url)) || !url.startsWith('/api/')) return 'public';
  return 'user';
}

const TAGS: Record<string, string> = {
  auth: 'Sign-up, sign-in, sessions, password and two-factor authentication. Sign-in sets httpOnly cookies; non-browser clients send the access token as `Authorization: Bearer`.',
  markets: 'Prices, price history and trading pairs, set by the server (public).',
  trading: 'Market, limit and stop orders, filled at the server price; funds are held while an order is open.',
  wallet: 'Balances, deposits through the payment provider, withdrawals (step-up), the withdrawal address book and instant transfers between users.',
  security: 'Account security: the "this wasn\'t me" freeze from a security email and how it is lifted, and the anti-phishing code shown in every email.',
  portfolio: 'Holdings valued at current prices, profit and loss, and value history.',
  gains: 'Realised gains by the chosen cost-basis method (FIFO, HIFO, average), P&L per asset and the yearly tax report (CSV, PDF).',
  transactions: 'The ledger-backed history of every balance change, and its CSV or JSON export.',
  alerts: 'Price alerts that notify when an asset crosses a threshold.',
  'recurring-buys':
    'Recurring buys: a USD amount of an asset bought daily, weekly or monthly at a UTC time by the one scheduler, each run an ordinary market order; runs and their outcome per schedule.',
  watchlist: "The assets a user starred, shown by the markets page's Watchlist filter.",
  kyc: 'Identity verification (KYC): tiers and their deposit, withdrawal and transfer limits with usage, submissions for review, and short-lived signed links to stored documents.',
  notifications: 'In-app notifications and their read state.',
  legal:
    "Terms of Service, privacy notice and risk disclosure (versioned; every version stays readable), the fee schedule generated from the configured fees, the caller's country as the edge reports it, and the signed-in user's acceptance of the terms.",
  support:
    "The public contact form, a user's support requests (threaded replies, files, close) and the operators' support queue (reply, internal notes, take, close; audited).",
  telegram:
    "Linking an operator's Telegram account to the operations bot (a one-time code after a step-up) and unlinking it; the bot's own webhook (secret-token header checked) is outside the route table.",
  admin:
    'Operator actions (an operator holding the role each route declares, with 2FA; every action is audited): users, withdrawal approvals, deposit reviews, KYC review, support queue, balance adjustments, roles, reconciliation, audit log.',
  operations: 'Health (liveness and readiness), runtime configuration for the web app, CSRF tokens, Fly.io machine facts.',
  'api-keys':
    'API keys for your own programs (docs/api-keys.md): created with a step-up, shown once, scopes `read` and `trade` (no scope withdraws, transfers, changes security or manages keys), optional IP allow-list and expiry. Managed with a session only.',
  webhooks: 'Payment provider callbacks, authenticated by their signature.',
  'proof-of-liabilities':
    "The published Merkle sum tree roots (signed, chained), liabilities beside declared reserves, each user's inclusion proof, and the operator's snapshot and reserve declarations.",
  development: 'Development tools (simulated prices and payments, email outbox); absent in production.',
};

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

interface RouteInfo {
  csrf: boolean;
  rateLimited: boolean;
}

/** What each route declares, gathered as routes register (an onRoute hook), keyed by `METHOD url`. */
export class RouteCatalog {
  private readonly routes = new Map<string, RouteInfo>();

  record(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = route.config as { csrf?: boolean; rateLimit?: boolean } | undefined;
    for (const m of methods) {
      this.routes.set(`${m.toUpperCase()} ${route.url}`, {
        csrf: config?.csrf !== false,
        rateLimited: config?.rateLimit !== false && route.url.startsWith('/api/'),
      });
    }
  }

  get(method: string, url: string): RouteInfo {
    return this.routes.get(`${method.toUpperCase()} ${url}`) ?? { csrf: true, rateLimited: url.startsWith('/api/') };
  }
}

/** `GET /api/alerts/{id}` → `getAlertsById`; paths outside /api get a `root` prefix (`/health` → `getRootHealth`). */
export function operationIdOf(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const parts = segments[0] === 'api' ? segments.slice(1) : ['root', ...segments];
  const pascal = (s: string) =>
    s
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('');
  const words = parts.map((p) => (p.startsWith('{') ? `By${pascal(p.slice(1, -1))}` : pascal(p)));
  return `${method.toLowerCase()}${words.join('')}`;
}

type Json = Record<string, unknown>;

const ERROR_RESPONSES: Record<string, [string, string]> = {
  BadRequest: ['400', 'The request is not valid (`VALIDATION_ERROR`, with `details` naming each field).'],
  Unauthenticated: ['401', 'No valid session or bearer token (`UNAUTHENTICATED`).'],
  Forbidden: ['403', 'Signed in but not allowed (`FORBIDDEN`), or a cookie-authenticated write without a valid `X-CSRF-Token` (`CSRF_INVALID`).'],
  NotFound: ['404', "Not found, including another user's resource (`NOT_FOUND`)."],
  RateLimited: ['429', 'Too many requests (`RATE_LIMITED`); `Retry-After` says when to retry.'],
  Internal: ['500', 'Unexpected error (`INTERNAL`); the `requestId` finds it in the logs.'],
  Unavailable: ['503', 'Temporarily unavailable, e.g. the server is shutting down (`UNAVAILABLE`); retry.'],
};

/** The base document: description, security schemes, the error schema and responses, tags. */
export function openapiBase(version: string): Json {
  const errorSchema = z.toJSONSchema(errorBodySchema) as Json;
  delete errorSchema.$schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'CryptoVault API',
      version,
      description: [
        'The HTTP API of CryptoVault, a custodial crypto trading platform.',
        '',
        '**Authentication.** Browsers sign in with `POST /api/auth/login`, which sets httpOnly cookies (`access_token`, 15 minutes, and a rotating `refresh_token`); every state-changing request made with those cookies also sends `X-CSRF-Token` from `GET /api/csrf` (fetched again after signing in: it is bound to the session). Other clients send `Authorization: Bearer <access token>` and need no CSRF token. Each operation lists what it accepts under `security`.',
        '',
        '**Money** is always a decimal string (`"0.00150000"`), never a JSON number. **Errors** always have the shape `{ "error": { "code", "message", "details"?, "requestId" } }`; `requestId` is also the `X-Request-ID` response header.',
      ].join('\n'),
    },
    components: {
      securitySchemes: {
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'access_token', description: 'The session cookie set by sign-in.' },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'From GET /api/csrf; required with cookieAuth on state-changing requests.',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'CV-ACCESS-KEY',
          description:
            'An API key id (docs/api-keys.md). A signed request also sends CV-ACCESS-TIMESTAMP (Unix seconds, within API_KEY_TIMESTAMP_WINDOW_SECONDS of the server), CV-ACCESS-NONCE (16-64 of A-Za-z0-9_-, never reused) and CV-ACCESS-SIGN: the lower-case hex HMAC-SHA256, under the key secret, of timestamp, nonce, METHOD, path with query and body joined by newline characters (body exactly as sent, empty when none). No cookies, no Authorization header, no CSRF token. The requirement lists the scopes that allow the operation.',
        },
        apiKeyTimestamp: { type: 'apiKey', in: 'header', name: 'CV-ACCESS-TIMESTAMP', description: 'Unix time in seconds; part of the signature.' },
        apiKeyNonce: {
          type: 'apiKey',
          in: 'header',
          name: 'CV-ACCESS-NONCE',
          description: 'New for every request (16-64 of A-Za-z0-9_-); part of the signature.',
        },
        apiKeySignature: {
          type: 'apiKey',
          in: 'header',
          name: 'CV-ACCESS-SIGN',
          description: 'Lower-case hex HMAC-SHA256 of the signing string under the key secret (see apiKey).',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token from sign-in (returned in the body to non-browser clients).',
        },
      },
      schemas: { Error: errorSchema },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, [, description]]) => [
          name,
          { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ]),
      ),
    },
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  };
}

/** The signed-request requirement of an operation some API key scope allows (the scopes as its "roles"). */
function apiKeyRequirement(method: string, url: string): Json[] {
  const scopes = scopesAllowing(API_KEY_SCOPES, method, url);
  return scopes.length ? [{ apiKey: scopes, apiKeyTimestamp: [], apiKeyNonce: [], apiKeySignature: [] }] : [];
}

function securityFor(requirement: AuthRequirement, method: string, csrf: boolean, url: string): Json[] {
  const cookie = STATE_CHANGING.has(method) && csrf ? { cookieAuth: [], csrfToken: [] } : { cookieAuth: [] };
  const signedIn = [cookie, { bearerAuth: [] }];
  if (requirement !== 'public') return [...signedIn, ...apiKeyRequirement(method, url)];
  // Anonymous callers need nothing; a signed-in browser still sends its CSRF token on writes.
  return STATE_CHANGING.has(method) && csrf ? [{}, ...signedIn] : [];
}

/** Completes every operation of the document @fastify/swagger built (its transformObject hook). */
export function completeDocument(doc: Json, catalog: RouteCatalog): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const used = new Set<string>();
  for (const [path, ops] of Object.entries(paths)) {
    const url = path.replace(/\{([^}]+)\}/g, ':$1');
    const requirement = authRequirementOf(url);
    for (const [method, op] of Object.entries(ops)) {
      if (typeof op !== 'object' || op === null) continue;
      const info = catalog.get(method, url);
      op.operationId ??= operationIdOf(method, path);
      op.security = securityFor(requirement, method, info.csrf, url);
      for (const t of (op.tags as string[] | undefined) ?? []) used.add(t);
      op.responses ??= {};
      const responses = op.responses as Json;
      const add = (name: keyof typeof ERROR_RESPONSES) => {
        const status = ERROR_RESPONSES[name]![0];
        responses[status] ??= { $ref: `#/components/responses/${name}` };
      };
      add('BadRequest');
      if (requirement !== 'public') add('Unauthenticated');
      if (requirement === 'admin' || (requirement !== 'public' && STATE_CHANGING.has(method)) || (info.csrf && STATE_CHANGING.has(method))) add('Forbidden');
      if (path.includes('{')) add('NotFound');
      if (info.rateLimited) add('RateLimited');
      add('Internal');
      add('Unavailable');
    }
  }
  const tags = (doc.tags ?? []) as { name: string }[];
  for (const t of used) if (!tags.some((x) => x.name === t)) tags.push({ name: t });
  return { ...doc, tags };
}
