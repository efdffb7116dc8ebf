/**
 * The only module that reads the environment (enforced by Biome's noRestrictedGlobals for `process`).
 * `loadConfig(env)` parses and validates once; everything else receives the typed `Config`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCorsOrigins, type CorsRule } from './platform/cors-origins.ts';
import type { S3Settings } from './platform/documents/backends.ts';
import { BUILD_INFO, releaseVersion } from './version.ts';

export type Environment = 'development' | 'test' | 'staging' | 'production';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx) => {
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.string().trim().url();
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const usdAmount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be a USD amount such as 10000 or 2500.50');

/** Raw environment schema: names are the environment variable names. Defaults are the development defaults. */
const envSchema = z.object({
  ENVIRONMENT: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => (v === 'prod' ? 'production' : v === 'dev' ? 'development' : v))
    .pipe(z.enum(['development', 'test', 'staging', 'production']))
    .default('development'),
  DEBUG: bool.default(false),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => (v === 'warning' ? 'warn' : v === 'critical' ? 'fatal' : v))
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .optional(),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  HOST: z.string().trim().default('0.0.0.0'),
  PORT: int(1, 65535).default(8001),
  PUBLIC_API_URL: url.optional(),
  PUBLIC_WS_URL: url.optional(),
  APP_URL: url.optional(),
  PUBLIC_SOCKET_IO_PATH: z
    .string()
    .trim()
    .regex(/^\/[A-Za-z0-9._/-]*$/, 'must be a path starting with /')
    .default('/socket.io/'),
  CORS_ORIGINS: z.string().optional(),
  CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS: bool.default(false),
  USE_CROSS_SITE_COOKIES: bool.default(false),
  JWT_SECRET: optionalString,
  JWT_ALGORITHM: z.string().trim().toUpperCase().default('HS256'),
  CSRF_SECRET: optionalString,
  DATA_ENCRYPTION_KEY: optionalString,
  ACCESS_TOKEN_EXPIRE_MINUTES: int(1, 24 * 60).default(15),
  REFRESH_TOKEN_EXPIRE_DAYS: int(1, 365).default(7),
  SESSION_MAX_LIFETIME_DAYS: int(1, 365).default(30),
  STEP_UP_TTL_SECONDS: int(30, 3600).default(300),
  DATABASE_URL: optionalString,
  DB_POOL_SIZE: int(1, 200).default(10),
  // A runaway query or a transaction left open by a stuck request holds locks and a pool connection; PostgreSQL
  // ends them after these limits (0 = no limit). Migrations lift the statement limit for their own session.
  DB_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(0, 3_600_000).default(15_000),
  DB_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('cryptovault'),
  DATA_DIR: z.string().trim().default('./data'),
  USE_REDIS: bool.optional(),
  REDIS_URL: optionalString,
  UPSTASH_REDIS_REST_URL: optionalString,
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  COINCAP_API_KEY: optionalString,
  COINCAP_BASE_URL: url.default('https://rest.coincap.io/v3'),
  USE_MOCK_PRICES: bool.optional(),
  // One CoinCap call per poll for all assets: 30 s is 2,880 credits a day (see docs/operations.md).
  PRICE_POLL_INTERVAL_MS: int(1000, 3_600_000).default(30_000),
  PRICE_MAX_AGE_MS: int(1000, 3_600_000).default(60_000),
  // Price history calls to CoinCap per minute for the whole platform (each is billed; see docs/operations.md).
  PRICE_HISTORY_CALLS_PER_MINUTE: int(1, 600).default(30),
  CANDLE_BACKFILL_DAYS: int(0, 30).optional(),
  TRADING_FEE_RATE: z
    .string()
    .trim()
    .regex(/^0(\.\d{1,8})?$/, 'must be a decimal fraction below 1 such as 0.001 (0.1%)')
    .default('0.001'),
  // Recurring buys (docs/operations.md): how often the one scheduler looks for due runs (0 = never; 0 in test).
  RECURRING_SWEEP_INTERVAL_MS: int(0, 3_600_000).optional(),
  SENDGRID_API_KEY: optionalString,
  SENDGRID_BASE_URL: url.default('https://api.sendgrid.com'),
  SENDGRID_SANDBOX: bool.default(false),
  EMAIL_FROM: z.string().trim().default('CryptoVault <no-reply@cryptovault.financial>'),
  // Where new support tickets and users' replies are announced when no operator has taken the ticket (docs/operations.md).
  SUPPORT_EMAIL: optionalString.pipe(z.email({ message: 'must be an email address' }).max(254).optional()),
  NOWPAYMENTS_API_KEY: optionalString,
  NOWPAYMENTS_IPN_SECRET: optionalString,
  NOWPAYMENTS_SANDBOX: bool.default(false),
  NOWPAYMENTS_BASE_URL: url.optional(),
  WITHDRAWAL_DUAL_APPROVAL_USD: usdAmount.default('10000'),
  WITHDRAWAL_DAILY_LIMIT_USD: usdAmount.default('50000'),
  WITHDRAWAL_FEES: optionalString,
  WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS: int(1, 720).default(24),
  // KYC tiers and limits (docs/operations.md#kyc-tiers-and-limits): `deposit=5000/10000,withdrawal=…` (USD per UTC day / month).
  KYC_LIMITS: z.enum(['on', 'off']).optional(),
  KYC_TIER0_LIMITS_USD: optionalString,
  KYC_TIER1_LIMITS_USD: optionalString,
  KYC_TIER2_LIMITS_USD: optionalString,
  // The document store (docs/operations.md#document-storage): S3-compatible storage when BUCKET_NAME is set (Tigris on
  // Fly: `fly storage create` sets it and the AWS_* variables), else a directory under DATA_DIR.
  DOCUMENT_STORE: z.enum(['directory', 's3']).optional(),
  DOCUMENT_DIR: optionalString,
  DOCUMENT_ENCRYPTION_KEY: optionalString,
  DOCUMENT_MAX_BYTES: int(1024, 50 * 1024 * 1024).default(10 * 1024 * 1024),
  DOCUMENT_RETENTION_DAYS: int(1, 36_500).default(1825),
  DOCUMENT_ACCESS_MINUTES: int(1, 60).default(5),
  DOCUMENT_SWEEP_INTERVAL_MINUTES: int(1, 7 * 24 * 60).default(60),
  BUCKET_NAME: optionalString,
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_ENDPOINT_URL_S3: url.optional(),
  AWS_REGION: z.string().trim().default('auto'),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_CHECKSUMS: z.enum(['when_supported', 'when_required']).default('when_required'),
  // Countries (ISO 3166-1 alpha-2, comma-separated) refused new business; see docs/operations.md#geo-restrictions.
  BLOCKED_COUNTRIES: z.string().optional(),
  GEO_COUNTRY_HEADER: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9-]{1,64}$/, 'must be a header name such as x-vercel-ip-country')
    .default('x-vercel-ip-country'),
  // Telegram operations bot (docs/operations.md#telegram-operations-bot): off unless TELEGRAM_BOT_TOKEN is set.
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
  TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
  TELEGRAM_OPS_CHAT_ID: z
    .string()
    .trim()
    .regex(/^-?\d{1,16}$/, 'must be a Telegram chat id (a whole number; groups are negative)')
    .optional(),
  TELEGRAM_ALERT_WITHDRAWAL_USD: usdAmount.default('10000'),
  TELEGRAM_MONITOR_INTERVAL_SECONDS: int(5, 3600).default(60),
  SENTRY_DSN: optionalString,
  PUBLIC_SENTRY_DSN: optionalString,
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_HEADERS: optionalString,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('cryptovault-api'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  TRUST_PROXY: z.string().trim().default('false'),
  EDGE_PROXY_SECRET: optionalString,
  SHUTDOWN_TIMEOUT_MS: int(1000, 300_000).default(25_000),
  METRICS_TOKEN: optionalString,
  // Proof of liabilities (docs/proof-of-liabilities.md): the Ed25519 key that signs published roots, and how often
  // a snapshot is taken (0 = only when an operator asks).
  PROOF_SIGNING_KEY: optionalString,
  PROOF_SNAPSHOT_INTERVAL_MINUTES: int(0, 7 * 24 * 60).optional(),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000_000).default(600),
  // API keys (docs/api-keys.md): keys per user, requests per key per minute, the signed timestamp's window.
  API_KEY_MAX_PER_USER: int(1, 100).default(10),
  API_KEY_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(300),
  API_KEY_TIMESTAMP_WINDOW_SECONDS: int(5, 300).default(30),
  BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  SERVE_WEB: bool.optional(),
  WEB_DIST_DIR: optionalString,
  FLY_APP_NAME: optionalString,
  FLY_MACHINE_ID: optionalString,
  FLY_ALLOC_ID: optionalString,
  FLY_REGION: optionalString,
  PRIMARY_REGION: optionalString,
  FLY_IMAGE_REF: optionalString,
  FLY_PRIVATE_IP: optionalString,
  FLY_PROCESS_GROUP: optionalString,
  FLY_VM_MEMORY_MB: z.coerce.number().int().optional(),
  FLY_DNS_SERVER: optionalString,
  // Seed (MongoDB) variables: recognised only to explain what replaced them.
  MONGO_URL: optionalString,
  MONGO_MAX_POOL_SIZE: optionalString,
  MONGO_TIMEOUT_MS: optionalString,
});

type RawEnv = z.infer<typeof envSchema>;

/** Values the product documents as placeholders; production refuses them as secrets. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'secret',
  'changeme',
  'change-me',
  'changethis',
  'your-secret-key',
  'your_jwt_secret',
  'jwt_secret',
  'csrf_secret',
  'development',
  'dev-secret',
  '<existing>',
  'replace-me',
]);

/**
 * The path requests take to the API, which decides the client address (platform/client-address.ts): a named
 * topology (`fly`, `vercel+fly`), or the generic forms for other setups (hop count, `true`, proxy addresses/CIDRs).
 */
export type TrustProxy = boolean | number | string[] | 'fly' | 'vercel+fly';

export interface Config {
  environment: Environment;
  /**
   * The production rules apply: `production` and `staging` alike (secrets required, https, no development tools,
   * migrations by release command, HSTS). Staging differs only in the keys it is given (sandboxes).
   */
  isProduction: boolean;
  /** true when running without TLS on a developer machine: cookies are not marked Secure. */
  isLocalDev: boolean;
  debug: boolean;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Human-readable lines for a developer's terminal; JSON everywhere else (Fly's log shipping reads JSON). */
  logFormat: 'json' | 'pretty';
  version: string;
  host: string;
  port: number;
  appUrl: string;
  publicApiUrl: string;
  publicWsUrl: string;
  socketIoPath: string;
  cors: { rules: CorsRule[]; warnings: string[] };
  cookies: { crossSite: boolean; secure: boolean };
  auth: {
    jwtSecret: string;
    jwtAlgorithm: 'HS256';
    csrfSecret: string;
    dataEncryptionKey: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** A session ends this long after it was opened, however often it is refreshed. */
    sessionMaxLifetimeSeconds: number;
    /** How long a step-up (second factor, or password without one) unlocks sensitive actions on its session. */
    stepUpTtlSeconds: number;
  };
  /**
   * WebAuthn (passkeys), from APP_URL: the relying party is the web app's host, and an assertion must come from its
   * origin. A loopback IP in local development (WebAuthn refuses IP addresses as RP IDs) uses `localhost` on the
   * same port instead, so passkeys work at http://localhost:<port>.
   */
  webauthn: {
    rpId: string;
    rpName: string;
    origins: string[];
  };
  database:
    | { kind: 'pglite'; dataDir: string | null }
    | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs?: number; idleInTransactionTimeoutMs?: number };
  redis: { kind: 'memory' } | { kind: 'redis'; url: string } | { kind: 'upstash-rest'; url: string; token: string };
  prices: {
    source: 'coincap' | 'simulated';
    coincapApiKey: string | null;
    coincapBaseUrl: string;
    pollIntervalMs: number;
    maxAgeMs: number;
    /** Upstream history calls per minute, platform-wide (CoinCap bills each). */
    historyCallsPerMinute: number;
    /** Days of 15m candles a starting writer fills from price history (0: none; also 1d candles for a year). */
    candleBackfillDays: number;
  };
  /** Fee on every fill as a fraction of its cost (0.001 = 0.1%), charged in the quote currency. */
  trading: { feeRate: string };
  /** Recurring buys: the scheduler's sweep period on the leader (0: the scheduler does not run). */
  recurring: { sweepIntervalMs: number };
  email: {
    provider: 'sendgrid' | 'dev-outbox';
    sendgridApiKey: string | null;
    sendgridBaseUrl: string;
    /** SendGrid validates each message and delivers none (mail_settings.sandbox_mode), e.g. for staging. */
    sendgridSandbox: boolean;
    from: string;
    /** SUPPORT_EMAIL: told of new tickets and of user messages on tickets no operator has taken; null: nobody is. */
    supportAddress: string | null;
  };
  payments: {
    provider: 'nowpayments' | 'simulated';
    apiKey: string | null;
    ipnSecret: string;
    baseUrl: string;
  };
  withdrawals: {
    /** At or above this USD value two different admins must approve. */
    dualApprovalUsd: string;
    /** Per user, over the last 24 hours, pending and completed withdrawals together. */
    dailyLimitUsd: string;
    /** Fee per asset symbol, charged in that asset on top of the amount. */
    fees: Record<string, string>;
    /**
     * A new address-book entry becomes usable this long after it was added (and only once its emailed link was
     * confirmed); switching "address book only" off takes effect after the same period.
     */
    addressCoolingOffSeconds: number;
  };
  /**
   * KYC: per-tier USD limits on deposits, withdrawals and transfers, per UTC calendar day and month, counted at the
   * USD value of each movement when it was made. `enforced` is false only when KYC_LIMITS=off (the default in the
   * `test` environment, whose older suites move large sums with unverified accounts).
   */
  kyc: { enforced: boolean; limits: KycLimits };
  /** The document store (platform/documents): where encrypted files go, how large, how long they are kept. */
  documents: {
    backend: { kind: 'directory'; dir: string } | ({ kind: 's3' } & S3Settings);
    /** DOCUMENT_ENCRYPTION_KEY; null: keys derive from DATA_ENCRYPTION_KEY (kept in DATA_DIR/secrets.json in development). */
    encryptionKey: string | null;
    maxBytes: number;
    retentionDays: number;
    accessTtlSeconds: number;
    sweepIntervalMs: number;
  };
  /**
   * Geo restrictions (docs/operations.md#geo-restrictions): the countries refused new business, and the header the
   * edge writes the caller's country in, believed only under the same proxy trust as client addresses
   * (platform/client-country.ts).
   */
  geo: { blockedCountries: string[]; countryHeader: string };
  /**
   * The Telegram operations bot; null (off: no route, no alerts, no background work) without TELEGRAM_BOT_TOKEN.
   * `webhook` is the production path (POST /api/telegram/webhook, secret-token header checked); `polling` is for a
   * developer's machine (one process, getUpdates).
   */
  telegram: {
    botToken: string;
    /** The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (set with setWebhook's secret_token). */
    webhookSecret: string | null;
    mode: 'webhook' | 'polling';
    /** The Bot API's base URL (tests point it at a local stand-in). */
    apiRoot: string;
    /** A group or channel that receives every alert, besides the linked operators' chats. */
    opsChatId: number | null;
    /** Withdrawals at or above this USD value are alerted. */
    alertWithdrawalUsd: string;
    /** How often the elected machine checks price staleness and reconciliation. */
    monitorIntervalMs: number;
  } | null;
  sentry: { dsn: string | null; publicDsn: string | null };
  /** OpenTelemetry tracing over OTLP/HTTP; null (off, nothing loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  telemetry: { endpoint: string; headers: Record<string, string>; serviceName: string; sampleRatio: number } | null;
  trustProxy: TrustProxy;
  /** EDGE_PROXY_SECRET: the value Vercel's rewrite adds to prove a request came through it (vercel+fly). */
  edgeProxySecret: string | null;
  shutdownTimeoutMs: number;
  /**
   * Proof of liabilities: `signingKey` is the Ed25519 private key's 32-byte seed (PROOF_SIGNING_KEY, base64); null
   * outside production and staging, where the module generates one and keeps it in the database.
   */
  proof: { signingKey: Uint8Array | null; snapshotIntervalMs: number };
  metricsToken: string | null;
  rateLimitPerMinute: number;
  /** API keys: active keys per user, requests per key per minute, and how far a signed timestamp may be from now (either way). */
  apiKeys: { maxPerUser: number; rateLimitPerMinute: number; timestampWindowSeconds: number };
  bodyLimitBytes: number;
  web: { serve: boolean; distDir: string | null };
  fly: {
    appName: string | null;
    machineId: string | null;
    region: string | null;
    primaryRegion: string | null;
    imageRef: string | null;
    privateIp: string | null;
    processGroup: string | null;
    vmMemoryMb: number | null;
    /** DNS server for `vms.<app>.internal` (host:port); null uses the system resolver (Fly's is fdaa::3). */
    dnsServer: string | null;
  };
  devToolsEnabled: boolean;
  /**
   * Outside production, secrets the environment did not give (JWT_SECRET, CSRF_SECRET, DATA_ENCRYPTION_KEY,
   * NOWPAYMENTS_IPN_SECRET): the values above are then per-process placeholders until the server replaces them with
   * the ones kept in `dataDir` (platform/local-secrets.ts), so that 2FA secrets and sessions survive a restart.
   */
  generatedSecrets: GeneratedSecretName[];
  /** DATA_DIR, resolved; null for `:memory:` (nothing is kept). */
  dataDir: string | null;
}

export type KycKind = 'deposit' | 'withdrawal' | 'transfer';
export type KycTier = 0 | 1 | 2;
/** USD limits per tier and kind: `daily` per UTC calendar day, `monthly` per UTC calendar month (decimal strings). */
export type KycLimits = Record<KycTier, Record<KycKind, { daily: string; monthly: string }>>;

/** The defaults documented in docs/operations.md#kyc-tiers-and-limits. */
export const DEFAULT_KYC_LIMITS: KycLimits = {
  0: { deposit: { daily: '5000', monthly: '10000' }, withdrawal: { daily: '1000', monthly: '2000' }, transfer: { daily: '1000', monthly: '2000' } },
  1: { deposit: { daily: '25000', monthly: '100000' }, withdrawal: { daily: '10000', monthly: '50000' }, transfer: { daily: '10000', monthly: '50000' } },
  2: {
    deposit: { daily: '250000', monthly: '1000000' },
    withdrawal: { daily: '100000', monthly: '500000' },
    transfer: { daily: '100000', monthly: '500000' },
  },
};

/** `deposit=5000/10000,withdrawal=1000/2000` (daily/monthly USD); kinds not named keep their defaults. */
export function parseKycLimits(name: string, raw: string | undefined, base: KycLimits[KycTier], problems: string[]): KycLimits[KycTier] {
  const out = { deposit: { ...base.deposit }, withdrawal: { ...base.withdrawal }, transfer: { ...base.transfer } };
  if (!raw) return out;
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(deposit|withdrawal|transfer)\s*=\s*(\d{1,12}(?:\.\d{1,2})?)\s*\/\s*(\d{1,12}(?:\.\d{1,2})?)$/.exec(part);
    if (!m) {
      problems.push(`${name}: "${part}" is not kind=daily/monthly (kinds: deposit, withdrawal, transfer; USD amounts), e.g. deposit=5000/10000`);
      continue;
    }
    const [, kind, daily, monthly] = m as unknown as [string, KycKind, string, string];
    if (Number(daily) > Number(monthly)) problems.push(`${name}: the daily ${kind} limit (${daily}) is above the monthly one (${monthly})`);
    out[kind] = { daily, monthly };
  }
  return out;
}

export type GeneratedSecretName = 'JWT_SECRET' | 'CSRF_SECRET' | 'DATA_ENCRYPTION_KEY' | 'NOWPAYMENTS_IPN_SECRET';

export interface LoadedConfig {
  config: Config;
  /** Things an operator should read at startup (generated secrets, risky CORS patterns, retired variables). */
  notices: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(raw: string, problems: string[]): TrustProxy {
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true') return true;
  if (v === 'fly' || v === 'vercel+fly') return v;
  if (/^\d+$/.test(v)) return Number(v);
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const ok = parts.every((p) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p) || ['loopback', 'linklocal', 'uniquelocal'].includes(p));
  if (!ok) {
    problems.push('TRUST_PROXY: use fly (Fly alone), vercel+fly (Vercel rewriting to Fly), false, a hop count, or a comma list of proxy IPs/CIDRs');
    return false;
  }
  return parts;
}

function checkSecret(name: string, value: string | undefined, minLength: number, problems: string[], env: Environment): void {
  if (!value) {
    problems.push(`${name} is required in ${env}`);
  } else if (value.length < minLength) {
    problems.push(`${name} is too short (${value.length} characters; at least ${minLength} required)`);
  } else if (KNOWN_DEFAULT_SECRETS.has(value.toLowerCase()) || /^(.)\1+$/.test(value)) {
    problems.push(`${name} is a known placeholder value; generate one with: openssl rand -base64 48`);
  }
}

function ephemeral(): string {
  return randomBytes(32).toString('base64url');
}

function stripTrailingSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

/** OTLP's header list: `key=value,key2=value2` with percent-encoded values (OpenTelemetry's env format). */
function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return out;
}

/** Network fees charged on withdrawals, per asset; WITHDRAWAL_FEES overrides some as `BTC:0.0002,ETH:0.002`. */
export const DEFAULT_WITHDRAWAL_FEES: Readonly<Record<string, string>> = {
  BTC: '0.0002',
  LTC: '0.001',
  ETH: '0.002',
  SOL: '0.01',
  USDT: '5',
  USDC: '5',
  LINK: '0.5',
  UNI: '1',
  AAVE: '0.05',
  POL: '5',
  BNB: '0.001',
  AVAX: '0.05',
};

function parseWithdrawalFees(raw: string | undefined, problems: string[]): Record<string, string> {
  const fees = { ...DEFAULT_WITHDRAWAL_FEES };
  for (const part of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9]{2,10}):(\d{1,12}(\.\d{1,18})?)$/.exec(part);
    if (!m?.[1] || !m[2]) {
      problems.push(`WITHDRAWAL_FEES: "${part}" is not ASSET:fee (e.g. BTC:0.0002,ETH:0.002)`);
      continue;
    }
    fees[m[1].toUpperCase()] = m[2];
  }
  return fees;
}

/** BLOCKED_COUNTRIES: `KP,IR,CU` → ['KP', 'IR', 'CU'] (ISO 3166-1 alpha-2, any case, duplicates dropped). */
function parseCountries(raw: string | undefined, problems: string[]): string[] {
  const out = new Set<string>();
  for (const part of (raw ?? '')
    .split(',')
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean)) {
    if (/^[A-Z]{2}$/.test(part)) out.add(part);
    else problems.push(`BLOCKED_COUNTRIES: "${part}" is not an ISO 3166-1 alpha-2 country code (two letters, e.g. KP,IR,CU)`);
  }
  return [...out].sort();
}

function formatZodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
}

/**
 * Parse and validate the environment. Throws `ConfigError` listing every problem at once.
 * Tests pass an explicit env object; the server passes `process.env`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatZodProblems(parsed.error));
  const e: RawEnv = parsed.data;
  const problems: string[] = [];
  const notices: string[] = [];
  // Staging is production with sandbox keys: every production check applies to it (docs/security.md).
  const isProduction = e.ENVIRONMENT === 'production' || e.ENVIRONMENT === 'staging';
  const envName = e.ENVIRONMENT;

  if (e.MONGO_URL || e.MONGO_MAX_POOL_SIZE || e.MONGO_TIMEOUT_MS) {
    const msg =
      'MONGO_URL / MONGO_MAX_POOL_SIZE / MONGO_TIMEOUT_MS are no longer used: CryptoVault now keeps its data in PostgreSQL. ' +
      'Set DATABASE_URL (postgres://...) and DB_POOL_SIZE instead; see docs/operations.md#database.';
    if (isProduction && !e.DATABASE_URL) problems.push(msg);
    else notices.push(msg);
  }

  if (e.JWT_ALGORITHM !== 'HS256') problems.push(`JWT_ALGORITHM: only HS256 is supported (got ${e.JWT_ALGORITHM})`);

  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  if (trustProxy === 'vercel+fly') {
    // Without it no request can prove it came through Vercel: every caller would share Vercel's egress addresses.
    if (!e.EDGE_PROXY_SECRET)
      problems.push('EDGE_PROXY_SECRET is required with TRUST_PROXY=vercel+fly (the same value in the Vercel project; openssl rand -hex 32)');
    else checkSecret('EDGE_PROXY_SECRET', e.EDGE_PROXY_SECRET, 32, problems, envName);
  } else if (typeof trustProxy === 'number' && trustProxy > 1 && isProduction) {
    notices.push(
      `TRUST_PROXY=${trustProxy} believes ${trustProxy - 1} X-Forwarded-For entr${trustProxy === 2 ? 'y' : 'ies'} beyond the proxy in front: a caller that reaches that proxy ` +
        'directly picks its own rate-limit address. On Fly use TRUST_PROXY=fly, behind Vercel TRUST_PROXY=vercel+fly (docs/operations.md).',
    );
  }

  const cors = parseCorsOrigins(e.CORS_ORIGINS ?? '');
  problems.push(...cors.errors);
  if (cors.publicSuffixPatterns.length > 0 && isProduction) {
    if (!e.CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS) {
      problems.push(
        `CORS_ORIGINS: ${cors.publicSuffixPatterns.map((p) => `"${p}"`).join(', ')} ${cors.publicSuffixPatterns.length === 1 ? 'is a wildcard' : 'are wildcards'} under a public suffix, ` +
          "where anyone can register a matching host and read signed-in users' data through credentialed CORS. List exact origins " +
          '(or use a domain of your own); CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS=true accepts the risk explicitly.',
      );
    } else {
      notices.push(
        `RISK ACCEPTED (CORS_ALLOW_PUBLIC_SUFFIX_WILDCARDS=true): CORS trusts ${cors.publicSuffixPatterns.join(', ')} in ${envName}. Anyone who ` +
          "registers a matching host under that public suffix can make signed-in users' browsers send credentialed requests and read the answers.",
      );
    }
  }

  if (isProduction) {
    checkSecret('JWT_SECRET', e.JWT_SECRET, 32, problems, envName);
    checkSecret('CSRF_SECRET', e.CSRF_SECRET, 32, problems, envName);
    checkSecret('DATA_ENCRYPTION_KEY', e.DATA_ENCRYPTION_KEY, 32, problems, envName);
    if (e.JWT_SECRET && e.JWT_SECRET === e.CSRF_SECRET) problems.push('CSRF_SECRET must differ from JWT_SECRET');
    if (!e.DATABASE_URL) problems.push(`DATABASE_URL is required in ${envName} (postgres://user:pass@host:5432/db)`);
    if (!e.REDIS_URL) problems.push(`REDIS_URL is required in ${envName} (redis:// or rediss://; Upstash: rediss://default:<token>@host:6379)`);
    if (!e.APP_URL) problems.push(`APP_URL is required in ${envName} (the web origin, e.g. https://www.cryptovault.financial)`);
    if (!e.PUBLIC_API_URL) problems.push(`PUBLIC_API_URL is required in ${envName} (the origin browsers use for /api)`);
    if (!e.SENDGRID_API_KEY) problems.push(`SENDGRID_API_KEY is required in ${envName}`);
    if (!e.NOWPAYMENTS_API_KEY) problems.push(`NOWPAYMENTS_API_KEY is required in ${envName} (NOWPAYMENTS_SANDBOX=true for the sandbox)`);
    checkSecret('NOWPAYMENTS_IPN_SECRET', e.NOWPAYMENTS_IPN_SECRET, 16, problems, envName);
    if (!e.COINCAP_API_KEY && e.USE_MOCK_PRICES !== true) problems.push(`COINCAP_API_KEY is required in ${envName} (or USE_MOCK_PRICES=true for a rehearsal)`);
    if (e.APP_URL && !e.APP_URL.startsWith('https://')) problems.push(`APP_URL must be https:// in ${envName}`);
    if (e.PUBLIC_API_URL && !e.PUBLIC_API_URL.startsWith('https://')) problems.push(`PUBLIC_API_URL must be https:// in ${envName}`);
    if (e.DEBUG) problems.push(`DEBUG must be false in ${envName}`);
    if (!e.PROOF_SIGNING_KEY)
      problems.push(`PROOF_SIGNING_KEY is required in ${envName} (the Ed25519 key that signs proof-of-liabilities roots; openssl rand -base64 32)`);
  }
  const proofKey = e.PROOF_SIGNING_KEY ? Buffer.from(e.PROOF_SIGNING_KEY, 'base64') : null;
  if (e.PROOF_SIGNING_KEY && (proofKey?.length !== 32 || proofKey.toString('base64') !== e.PROOF_SIGNING_KEY)) {
    problems.push('PROOF_SIGNING_KEY must be 32 bytes in base64 (an Ed25519 private key seed: openssl rand -base64 32)');
  } else if (proofKey && new Set(proofKey).size === 1) {
    problems.push('PROOF_SIGNING_KEY is a placeholder (every byte the same); generate one with: openssl rand -base64 32');
  }

  if (e.TELEGRAM_BOT_TOKEN) {
    if (!/^\d{3,20}:[A-Za-z0-9_-]{30,}$/.test(e.TELEGRAM_BOT_TOKEN)) problems.push('TELEGRAM_BOT_TOKEN is not a bot token from @BotFather (123456789:AA...)');
    if (e.TELEGRAM_MODE === 'webhook') {
      if (!e.TELEGRAM_WEBHOOK_SECRET)
        problems.push('TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_BOT_TOKEN in webhook mode (openssl rand -hex 32; TELEGRAM_MODE=polling on a laptop)');
      else if (!/^[A-Za-z0-9_-]{1,256}$/.test(e.TELEGRAM_WEBHOOK_SECRET))
        problems.push('TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (at most 256 characters), as Telegram requires');
      else if (isProduction) checkSecret('TELEGRAM_WEBHOOK_SECRET', e.TELEGRAM_WEBHOOK_SECRET, 32, problems, envName);
    } else if (isProduction) {
      problems.push(`TELEGRAM_MODE=polling is for a developer's machine; ${envName} receives updates by webhook (TELEGRAM_MODE=webhook)`);
    }
  } else if (e.TELEGRAM_WEBHOOK_SECRET || e.TELEGRAM_OPS_CHAT_ID) {
    notices.push('TELEGRAM_WEBHOOK_SECRET / TELEGRAM_OPS_CHAT_ID are set but TELEGRAM_BOT_TOKEN is not: the Telegram bot is off.');
  }

  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (e.REDIS_URL && !/^rediss?:\/\//.test(e.REDIS_URL)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  if (e.USE_REDIS === true && !e.REDIS_URL && !e.UPSTASH_REDIS_REST_URL) {
    problems.push('USE_REDIS=true needs REDIS_URL (or UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN)');
  }
  if (Boolean(e.UPSTASH_REDIS_REST_URL) !== Boolean(e.UPSTASH_REDIS_REST_TOKEN)) {
    problems.push('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const generated: GeneratedSecretName[] = [];
  const secret = (name: GeneratedSecretName, value: string | undefined): string => {
    if (value) return value;
    generated.push(name);
    return ephemeral();
  };
  const jwtSecret = secret('JWT_SECRET', e.JWT_SECRET);
  const csrfSecret = secret('CSRF_SECRET', e.CSRF_SECRET);
  const dataEncryptionKey = secret('DATA_ENCRYPTION_KEY', e.DATA_ENCRYPTION_KEY);
  const ipnSecret = secret('NOWPAYMENTS_IPN_SECRET', e.NOWPAYMENTS_IPN_SECRET);
  // Production and staging never get here without them (checkSecret above). Elsewhere the server keeps the
  // generated ones in DATA_DIR (platform/local-secrets.ts); with DATA_DIR=:memory: they last one process.
  if (generated.length > 0 && e.ENVIRONMENT !== 'test' && e.DATA_DIR === ':memory:') {
    notices.push(
      `Generated ephemeral development secrets for ${generated.join(', ')} (DATA_DIR=:memory:): sessions and encrypted 2FA ` +
        'secrets do not survive a restart. Set them in the environment to keep them.',
    );
  }

  const localUrl = `http://localhost:${e.PORT}`;
  const appUrl = stripTrailingSlash(e.APP_URL ?? localUrl);
  const publicApiUrl = stripTrailingSlash(e.PUBLIC_API_URL ?? appUrl);
  const publicWsUrl = stripTrailingSlash(e.PUBLIC_WS_URL ?? publicApiUrl.replace(/^http/, 'ws'));
  const isLocalDev = !isProduction && /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(appUrl);

  // The app's own origin is always allowed, so the same-origin web app works without configuration.
  const corsRules = [...cors.rules];
  for (const own of [appUrl, publicApiUrl]) {
    const origin = new URL(own).origin;
    if (!corsRules.some((r) => r.kind === 'exact' && r.origin === origin)) corsRules.push({ kind: 'exact', origin });
  }
  // In production and staging a public-suffix wildcard is refused or named as an accepted risk above.
  notices.push(...(isProduction ? cors.warnings.filter((w) => !cors.publicSuffixPatterns.some((p) => w.includes(`"${p}"`))) : cors.warnings));

  if (e.USE_CROSS_SITE_COOKIES && isLocalDev) {
    notices.push('USE_CROSS_SITE_COOKIES=true needs HTTPS (SameSite=None requires Secure); cookies will be marked Secure.');
  }

  const redis: Config['redis'] = e.REDIS_URL
    ? { kind: 'redis', url: e.REDIS_URL }
    : e.UPSTASH_REDIS_REST_URL && e.UPSTASH_REDIS_REST_TOKEN && e.USE_REDIS !== false
      ? { kind: 'upstash-rest', url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN }
      : { kind: 'memory' };
  if (redis.kind === 'upstash-rest') {
    notices.push(
      'Using the Upstash REST API for cache and rate limits only: it cannot subscribe, so pub/sub, locks and Socket.IO ' +
        'fan-out stay in this process. Set REDIS_URL (rediss://default:<token>@host:6379) to run several machines.',
    );
  }

  const useMockPrices = e.USE_MOCK_PRICES ?? !e.COINCAP_API_KEY;
  const payments: Config['payments'] = e.NOWPAYMENTS_API_KEY
    ? {
        provider: 'nowpayments',
        apiKey: e.NOWPAYMENTS_API_KEY,
        ipnSecret,
        baseUrl: stripTrailingSlash(
          e.NOWPAYMENTS_BASE_URL ?? (e.NOWPAYMENTS_SANDBOX ? 'https://api-sandbox.nowpayments.io/v1' : 'https://api.nowpayments.io/v1'),
        ),
      }
    : { provider: 'simulated', apiKey: null, ipnSecret, baseUrl: '' };

  const withdrawalFees = parseWithdrawalFees(e.WITHDRAWAL_FEES, problems);
  const kycLimits: KycLimits = {
    0: parseKycLimits('KYC_TIER0_LIMITS_USD', e.KYC_TIER0_LIMITS_USD, DEFAULT_KYC_LIMITS[0], problems),
    1: parseKycLimits('KYC_TIER1_LIMITS_USD', e.KYC_TIER1_LIMITS_USD, DEFAULT_KYC_LIMITS[1], problems),
    2: parseKycLimits('KYC_TIER2_LIMITS_USD', e.KYC_TIER2_LIMITS_USD, DEFAULT_KYC_LIMITS[2], problems),
  };
  const documentBackend = e.DOCUMENT_STORE ?? (e.BUCKET_NAME ? 's3' : 'directory');
  if (documentBackend === 's3' && !e.BUCKET_NAME)
    problems.push('DOCUMENT_STORE=s3 needs BUCKET_NAME (and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_S3)');
  if (documentBackend === 's3' && Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY)) {
    problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  }
  if (e.DOCUMENT_ENCRYPTION_KEY) {
    if (isProduction) checkSecret('DOCUMENT_ENCRYPTION_KEY', e.DOCUMENT_ENCRYPTION_KEY, 32, problems, envName);
    else if (e.DOCUMENT_ENCRYPTION_KEY.length < 32) problems.push('DOCUMENT_ENCRYPTION_KEY is too short (at least 32 characters; openssl rand -base64 48)');
  }
  if (isProduction && documentBackend === 'directory' && !e.DOCUMENT_DIR) {
    notices.push(
      'Documents (KYC files, attachments) are stored in a directory under DATA_DIR: on Fly that disk is lost with the machine unless it is a volume. ' +
        'Create object storage with `fly storage create` (it sets BUCKET_NAME and the AWS_* secrets); see docs/operations.md#document-storage.',
    );
  }
  const blockedCountries = parseCountries(e.BLOCKED_COUNTRIES, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const config: Config = {
    environment: e.ENVIRONMENT,
    isProduction,
    isLocalDev,
    debug: e.DEBUG,
    logLevel: e.LOG_LEVEL ?? (e.ENVIRONMENT === 'test' ? 'silent' : e.DEBUG ? 'debug' : 'info'),
    logFormat: e.LOG_FORMAT ?? (e.ENVIRONMENT === 'development' && process.stdout.isTTY ? 'pretty' : 'json'),
    version: releaseVersion(BUILD_INFO, e.FLY_IMAGE_REF),
    host: e.HOST,
    port: e.PORT,
    appUrl,
    publicApiUrl,
    publicWsUrl,
    socketIoPath: e.PUBLIC_SOCKET_IO_PATH,
    cors: { rules: corsRules, warnings: cors.warnings },
    cookies: { crossSite: e.USE_CROSS_SITE_COOKIES, secure: !isLocalDev || e.USE_CROSS_SITE_COOKIES },
    auth: {
      jwtSecret,
      jwtAlgorithm: 'HS256',
      csrfSecret,
      dataEncryptionKey,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_EXPIRE_DAYS * 86_400,
      sessionMaxLifetimeSeconds: e.SESSION_MAX_LIFETIME_DAYS * 86_400,
      stepUpTtlSeconds: e.STEP_UP_TTL_SECONDS,
    },
    webauthn: webauthnRelyingParty(appUrl, isLocalDev),
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DB_POOL_SIZE,
          statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: e.DATA_DIR === ':memory:' ? null : `${stripTrailingSlash(e.DATA_DIR)}/${e.DB_NAME}` },
    redis,
    prices: {
      source: useMockPrices ? 'simulated' : 'coincap',
      coincapApiKey: e.COINCAP_API_KEY ?? null,
      coincapBaseUrl: stripTrailingSlash(e.COINCAP_BASE_URL),
      pollIntervalMs: e.PRICE_POLL_INTERVAL_MS,
      maxAgeMs: e.PRICE_MAX_AGE_MS,
      historyCallsPerMinute: e.PRICE_HISTORY_CALLS_PER_MINUTE,
      candleBackfillDays: e.CANDLE_BACKFILL_DAYS ?? (e.ENVIRONMENT === 'test' ? 0 : 7),
    },
    trading: { feeRate: e.TRADING_FEE_RATE },
    recurring: { sweepIntervalMs: e.RECURRING_SWEEP_INTERVAL_MS ?? (e.ENVIRONMENT === 'test' ? 0 : 15_000) },
    email: {
      provider: e.SENDGRID_API_KEY ? 'sendgrid' : 'dev-outbox',
      sendgridApiKey: e.SENDGRID_API_KEY ?? null,
      sendgridBaseUrl: stripTrailingSlash(e.SENDGRID_BASE_URL),
      sendgridSandbox: e.SENDGRID_SANDBOX,
      from: e.EMAIL_FROM,
      supportAddress: e.SUPPORT_EMAIL ?? null,
    },
    payments,
    withdrawals: {
      dualApprovalUsd: e.WITHDRAWAL_DUAL_APPROVAL_USD,
      dailyLimitUsd: e.WITHDRAWAL_DAILY_LIMIT_USD,
      fees: withdrawalFees,
      addressCoolingOffSeconds: e.WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS * 3600,
    },
    kyc: { enforced: (e.KYC_LIMITS ?? (e.ENVIRONMENT === 'test' ? 'off' : 'on')) === 'on', limits: kycLimits },
    documents: {
      backend:
        documentBackend === 's3'
          ? {
              kind: 's3',
              bucket: e.BUCKET_NAME as string,
              endpoint: e.AWS_ENDPOINT_URL_S3 ?? null,
              region: e.AWS_REGION,
              accessKeyId: e.AWS_ACCESS_KEY_ID ?? null,
              secretAccessKey: e.AWS_SECRET_ACCESS_KEY ?? null,
              forcePathStyle: e.S3_FORCE_PATH_STYLE,
              checksums: e.S3_CHECKSUMS,
            }
          : {
              kind: 'directory',
              // Tests without a DOCUMENT_DIR write to a per-process temporary directory, never the developer's ./data.
              dir:
                e.DOCUMENT_DIR ??
                (e.ENVIRONMENT === 'test' || e.DATA_DIR === ':memory:'
                  ? join(tmpdir(), `cryptovault-documents-${process.pid}`)
                  : `${stripTrailingSlash(e.DATA_DIR)}/documents`),
            },
      encryptionKey: e.DOCUMENT_ENCRYPTION_KEY ?? null,
      maxBytes: e.DOCUMENT_MAX_BYTES,
      retentionDays: e.DOCUMENT_RETENTION_DAYS,
      accessTtlSeconds: e.DOCUMENT_ACCESS_MINUTES * 60,
      sweepIntervalMs: e.DOCUMENT_SWEEP_INTERVAL_MINUTES * 60_000,
    },
    geo: { blockedCountries, countryHeader: e.GEO_COUNTRY_HEADER },
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          botToken: e.TELEGRAM_BOT_TOKEN,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? null,
          mode: e.TELEGRAM_MODE,
          apiRoot: stripTrailingSlash(e.TELEGRAM_API_ROOT),
          opsChatId: e.TELEGRAM_OPS_CHAT_ID ? Number(e.TELEGRAM_OPS_CHAT_ID) : null,
          alertWithdrawalUsd: e.TELEGRAM_ALERT_WITHDRAWAL_USD,
          monitorIntervalMs: e.TELEGRAM_MONITOR_INTERVAL_SECONDS * 1000,
        }
      : null,
    sentry: { dsn: e.SENTRY_DSN ?? null, publicDsn: e.PUBLIC_SENTRY_DSN ?? null },
    telemetry: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: stripTrailingSlash(e.OTEL_EXPORTER_OTLP_ENDPOINT),
          headers: parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
          serviceName: e.OTEL_SERVICE_NAME,
          sampleRatio: e.OTEL_TRACES_SAMPLER_ARG,
        }
      : null,
    trustProxy,
    edgeProxySecret: e.EDGE_PROXY_SECRET ?? null,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    proof: {
      signingKey: proofKey ? new Uint8Array(proofKey) : null,
      snapshotIntervalMs: (e.PROOF_SNAPSHOT_INTERVAL_MINUTES ?? (e.ENVIRONMENT === 'test' ? 0 : 24 * 60)) * 60_000,
    },
    metricsToken: e.METRICS_TOKEN ?? null,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    apiKeys: {
      maxPerUser: e.API_KEY_MAX_PER_USER,
      rateLimitPerMinute: e.API_KEY_RATE_LIMIT_PER_MINUTE,
      timestampWindowSeconds: e.API_KEY_TIMESTAMP_WINDOW_SECONDS,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    web: { serve: e.SERVE_WEB ?? !isProduction, distDir: e.WEB_DIST_DIR ?? null },
    fly: {
      appName: e.FLY_APP_NAME ?? null,
      machineId: e.FLY_MACHINE_ID ?? e.FLY_ALLOC_ID ?? null,
      region: e.FLY_REGION ?? null,
      primaryRegion: e.PRIMARY_REGION ?? null,
      imageRef: e.FLY_IMAGE_REF ?? null,
      privateIp: e.FLY_PRIVATE_IP ?? null,
      processGroup: e.FLY_PROCESS_GROUP ?? null,
      vmMemoryMb: e.FLY_VM_MEMORY_MB ?? null,
      dnsServer: e.FLY_DNS_SERVER ?? null,
    },
    // Development tools (the outbox with everyone's reset links, price setting, simulated payment completion) exist
    // only where nobody else's data is: a developer's machine and the test suite.
    devToolsEnabled: e.ENVIRONMENT === 'development' || e.ENVIRONMENT === 'test',
    generatedSecrets: generated,
    dataDir: e.DATA_DIR === ':memory:' ? null : stripTrailingSlash(e.DATA_DIR),
  };
  return { config, notices };
}

/** The variable names this module reads, for the README table check. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * The smoke CLI's password (`npm run smoke`), read here like every other variable. It is a deploy check run from a
 * workstation or CI against a live site, not part of the server's configuration, so it is not in CONFIG_VARIABLES.
 */
export function smokePassword(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.SMOKE_PASSWORD || undefined;
}

/** The WebAuthn relying party of the web app at `appUrl` (see Config.webauthn). */
export function webauthnRelyingParty(appUrl: string, isLocalDev: boolean): Config['webauthn'] {
  const url = new URL(appUrl);
  if (isLocalDev && (url.hostname === '127.0.0.1' || url.hostname === '[::1]')) {
    const local = new URL(appUrl);
    local.hostname = 'localhost';
    return { rpId: 'localhost', rpName: 'CryptoVault', origins: [local.origin] };
  }
  return { rpId: url.hostname, rpName: 'CryptoVault', origins: [url.origin] };
}

/**
 * What `npm run telegram:webhook` needs: the bot token, the webhook secret, the Bot API root and the public API
 * origin, checked like the server checks them. It runs from a workstation (or `fly ssh console`) with the app's
 * secrets, and is not the server's whole configuration.
 */
export function telegramCliConfig(env: Record<string, string | undefined> = process.env): {
  botToken: string;
  webhookSecret: string;
  apiRoot: string;
  publicApiUrl: string | null;
} {
  const parsed = envSchema.pick({ TELEGRAM_BOT_TOKEN: true, TELEGRAM_WEBHOOK_SECRET: true, TELEGRAM_API_ROOT: true, PUBLIC_API_URL: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(formatZodProblems(parsed.error));
  const e = parsed.data;
  const problems: string[] = [];
  if (!e.TELEGRAM_BOT_TOKEN) problems.push('TELEGRAM_BOT_TOKEN is required (the token from @BotFather)');
  if (!e.TELEGRAM_WEBHOOK_SECRET || !/^[A-Za-z0-9_-]{1,256}$/.test(e.TELEGRAM_WEBHOOK_SECRET))
    problems.push('TELEGRAM_WEBHOOK_SECRET is required: A-Z, a-z, 0-9, _ and - (openssl rand -hex 32), the same value the app has');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    botToken: e.TELEGRAM_BOT_TOKEN!,
    webhookSecret: e.TELEGRAM_WEBHOOK_SECRET!,
    apiRoot: stripTrailingSlash(e.TELEGRAM_API_ROOT),
    publicApiUrl: e.PUBLIC_API_URL ? stripTrailingSlash(e.PUBLIC_API_URL) : null,
  };
}
