import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pid } from 'node:process';
import type { Config, GeneratedSecretName } from '../config.ts';
import { StartupError } from './startup.ts';

/**
 * Outside production, the secrets the environment does not give are generated once and kept in
 * `DATA_DIR/secrets.json` (mode 0600), then reused at every start: 2FA secrets encrypted with DATA_ENCRYPTION_KEY
 * stay readable and sessions survive a restart. Production and staging require them from the environment
 * (config.ts refuses to start without them) and never read or write this file.
 */
export const SECRETS_FILE_NAME = 'secrets.json';

export function secretsFileFor(dataDir: string): string {
  return join(dataDir, SECRETS_FILE_NAME);
}

export interface LocalSecretsResult {
  config: Config;
  file: string | null;
  /** Names generated and written by this start (first start, or a file missing some). */
  created: GeneratedSecretName[];
  /** Names read back from the file. */
  reused: GeneratedSecretName[];
  /** The file did not exist and this start created it (a start that is then refused removes it again). */
  createdFile: boolean;
}

type Stored = Partial<Record<GeneratedSecretName, string>> & { createdAt?: string };

function readStored(file: string): Stored | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StartupError('development secrets', 'DATA_DIR', `${file} cannot be read: ${(err as Error).message}.`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Stored;
  } catch (err) {
    throw new StartupError(
      'development secrets',
      'DATA_DIR',
      `${file} is not valid JSON (${(err as Error).message}). It holds the keys this data directory was written with: restore it from a backup rather than deleting it.`,
    );
  }
}

const SETTERS: Record<GeneratedSecretName, (c: Config, v: string) => void> = {
  JWT_SECRET: (c, v) => {
    c.auth.jwtSecret = v;
  },
  CSRF_SECRET: (c, v) => {
    c.auth.csrfSecret = v;
  },
  DATA_ENCRYPTION_KEY: (c, v) => {
    c.auth.dataEncryptionKey = v;
  },
  NOWPAYMENTS_IPN_SECRET: (c, v) => {
    c.payments.ipnSecret = v;
  },
};

/** Replaces the config's per-process placeholders with the kept secrets, generating (and keeping) missing ones. */
export function applyLocalSecrets(config: Config, attempt = 0): LocalSecretsResult {
  if (config.isProduction || config.generatedSecrets.length === 0 || !config.dataDir) {
    return { config, file: null, created: [], reused: [], createdFile: false };
  }
  const file = secretsFileFor(config.dataDir);
  const next: Config = { ...config, auth: { ...config.auth }, payments: { ...config.payments } };
  const existing = readStored(file);
  const stored: Stored = existing ?? {};
  const created: GeneratedSecretName[] = [];
  const reused: GeneratedSecretName[] = [];
  for (const name of config.generatedSecrets) {
    const value = stored[name];
    if (typeof value === 'string' && value.length >= 32) {
      reused.push(name);
    } else {
      stored[name] = randomBytes(32).toString('base64url');
      created.push(name);
    }
    SETTERS[name](next, stored[name] as string);
  }
  if (created.length > 0) {
    mkdirSync(config.dataDir, { recursive: true });
    stored.createdAt ??= new Date().toISOString();
    const text = `${JSON.stringify(stored, null, 2)}\n`;
    if (!existing) {
      // Created exclusively: of two processes starting at once on a new directory, one writes and the other
      // reads what it wrote, so both run with the same keys.
      try {
        writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt === 0) return applyLocalSecrets(config, 1);
        throw err;
      }
    } else {
      // Completing an existing file: written whole then renamed, so a crash never leaves half a key file.
      const tmp = `${file}.${pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, file);
    }
  }
  // A file copied around with a lax umask: it holds keys, keep it to its owner.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { config: next, file, created, reused, createdFile: created.length > 0 && !existing };
}
