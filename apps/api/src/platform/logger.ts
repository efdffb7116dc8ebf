import { type Logger, type LoggerOptions, pino } from 'pino';
import type { Config } from '../config.ts';
import { traceLogMixin } from './telemetry.ts';

/** Headers and fields that never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-nowpayments-sig"]',
  'req.headers["x-api-key"]',
  'req.headers["x-cryptovault-edge-secret"]',
  'req.headers["cv-access-sign"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.totpCode',
  '*.secret',
];

/** Query parameters whose values are credentials (reset and verification links, tokens, signatures, codes). */
const SECRET_PARAM = /token|secret|password|passwd|code|key|sig|otp|session|auth/i;

/** The URL with the value of every credential-like query parameter replaced (`/reset-password?token=[redacted]`). */
export function redactUrl(url: unknown): unknown {
  if (typeof url !== 'string' || !url.includes('?')) return url;
  const q = url.indexOf('?');
  const query = url.slice(q + 1).replace(/(^|&)([^=&#]*)=([^&#]*)/g, (whole, sep: string, name: string) => {
    let plain = name;
    try {
      plain = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // a malformed name is matched as written
    }
    return SECRET_PARAM.test(plain) ? `${sep}${name}=[redacted]` : whole;
  });
  return `${url.slice(0, q + 1)}${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with credential-like query parameters redacted (the fast path logs the same shape). */
function serializeRequest(req: LoggedRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** What a database error may say in a log: never its SQL text, parameters, detail or message (they can echo values). */
const DB_FIELDS = ['code', 'constraint', 'table', 'column', 'schema', 'routine', 'severity'] as const;

function isDatabaseError(e: Record<string, unknown>): boolean {
  return ('query' in e && 'params' in e) || (typeof e.code === 'string' && SQLSTATE.test(e.code) && ('routine' in e || 'severity' in e));
}

/**
 * The one place errors become log fields (pino's `err` serializer, also used for Fastify's request errors): pino's
 * standard form, except that a database error (drizzle's DrizzleQueryError carries the whole statement and its
 * parameters in `query`, `params` and its message; pg's and PGlite's errors carry `detail` and values in messages)
 * keeps only its PostgreSQL code, constraint, table and column names and its stack frames.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as Error & Record<string, unknown>;
  if (isDatabaseError(e)) {
    const out: Record<string, unknown> = { type: e.constructor?.name ?? 'Error', message: 'database query failed (SQL text and parameters are not logged)' };
    for (const f of DB_FIELDS) if (typeof e[f] === 'string') out[f] = e[f];
    if (typeof e.stack === 'string')
      out.stack = e.stack
        .split('\n')
        .filter((l) => /^\s+at /.test(l))
        .join('\n');
    if (e.cause && depth < 5) out.cause = serializeError(e.cause, depth + 1);
    return out;
  }
  const out = pino.stdSerializers.err(e) as unknown as Record<string, unknown>;
  if (e.cause && depth < 5) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** A one-line description of an error for storage or a log field, with a database error reduced as above. */
export function errorSummary(err: unknown): string {
  const s = serializeError(err) as { message?: unknown; code?: unknown; constraint?: unknown; cause?: { code?: unknown; constraint?: unknown } } | undefined;
  if (s && typeof s === 'object' && typeof s.message === 'string' && s.message.startsWith('database query failed')) {
    const code = s.code ?? s.cause?.code;
    const constraint = s.constraint ?? s.cause?.constraint;
    return `database error${typeof code === 'string' ? ` ${code}` : ''}${typeof constraint === 'string' ? ` (${constraint})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function loggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'isProduction' | 'fly' | 'version'> & Partial<Pick<Config, 'telemetry'>>,
): LoggerOptions {
  const pretty = config.logFormat === 'pretty';
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Fastify merges these over its own (logger-pino.js): request lines and errors use them everywhere.
    serializers: { req: serializeRequest, err: serializeError, cause: serializeError },
    base: config.isProduction
      ? { app: config.fly.appName ?? 'cryptovault-api', region: config.fly.region, machine: config.fly.machineId, version: config.version }
      : undefined,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    // With tracing on, every line logged inside a request carries its traceId/spanId.
    ...(config.telemetry ? { mixin: traceLogMixin } : {}),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } } : {}),
  };
}

export function createLogger(config: Parameters<typeof loggerOptions>[0]): Logger {
  return pino(loggerOptions(config));
}
