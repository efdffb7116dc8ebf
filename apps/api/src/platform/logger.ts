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
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.totpCode',
  '*.secret',
];

export function loggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'isProduction' | 'fly' | 'version'> & Partial<Pick<Config, 'telemetry'>>,
): LoggerOptions {
  const pretty = config.logFormat === 'pretty';
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: config.isProduction
      ? { app: config.fly.appName ?? 'cryptovault-api', region: config.fly.region, machine: config.fly.machineId, version: config.version }
      : undefined,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    // With tracing on, every line logged inside a request carries its traceId/spanId.
    ...(config.telemetry ? { mixin: traceLogMixin } : {}),
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } }
      : {}),
  };
}

export function createLogger(config: Parameters<typeof loggerOptions>[0]): Logger {
  return pino(loggerOptions(config));
}
