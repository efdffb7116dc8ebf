import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../platform/db/client.ts';
import { StartupError } from '../../platform/startup.ts';
import { recordAudit } from '../audit/index.ts';
import { decrypt, deriveKey, keyedHash } from './secrets.ts';

/**
 * DATA_ENCRYPTION_KEY encrypts every stored TOTP secret and keys the backup-code hashes. Started with another key
 * (a lost DATA_DIR/secrets.json, a changed variable), every 2FA sign-in would fail with a 500 and nobody with 2FA —
 * administrators included — could get in. The database records a fingerprint of the key it was written with; a
 * start with a different key is refused with what happened and what to do.
 */
const SETTING = 'data_key_fingerprint';

/** Both drivers answer `execute` with `{ rows }`; Drizzle types it per driver, hence the one cast here. */
async function rows(ex: Executor, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  return ((await ex.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
}

export function dataKeyFingerprint(dataEncryptionKey: string): string {
  return keyedHash(deriveKey(dataEncryptionKey, 'data-key-fingerprint'), 'cryptovault data key v1').slice(0, 16);
}

async function recordedFingerprint(ex: Executor): Promise<string | null> {
  const value = (await rows(ex, sql`select value from instance_settings where name = ${SETTING}`))[0]?.value;
  return typeof value === 'string' ? value : null;
}

async function recordFingerprint(ex: Executor, fingerprint: string): Promise<void> {
  await ex.execute(
    sql`insert into instance_settings (name, value) values (${SETTING}, ${fingerprint})
        on conflict (name) do update set value = excluded.value, updated_at = now()`,
  );
}

/** Where the key in use came from, for the explanation. */
export type KeySource = { kind: 'file'; file: string; createdNow: boolean } | { kind: 'environment' };

function explain(source: KeySource, dataDir: string, recorded: string | null, current: string, twoFactorUsers: number): string {
  const origin =
    source.kind === 'file'
      ? source.createdNow
        ? `${source.file} did not exist, so a new key was generated at this start`
        : `the key in ${source.file} is not the one the database was written with (the file was replaced)`
      : 'DATA_ENCRYPTION_KEY in the environment is not the one the database was written with';
  const fp = recorded ? ` (database: key ${recorded}, this start: key ${current})` : '';
  const restore =
    source.kind === 'file'
      ? `Restore the original ${source.file} (from a backup of the data directory; it is kept beside the database, mode 0600) or set DATA_ENCRYPTION_KEY to the original key, then start again.`
      : 'Set DATA_ENCRYPTION_KEY back to the original key, then start again.';
  return (
    `the database at ${dataDir} was written with a different data-encryption key: ${origin}${fp}. ` +
    `The ${twoFactorUsers} account${twoFactorUsers === 1 ? '' : 's'} with two-factor authentication could not sign in with it. ${restore} ` +
    'If the original key is lost for good, `npm run keys:forget-2fa -- --confirm` (server stopped) turns two-factor authentication off for ' +
    'every account and ends all sessions: people sign in with their password and enrol again (administrators must before admin routes open). ' +
    'Nothing was changed.'
  );
}

async function twoFactorUserCount(ex: Executor): Promise<number> {
  return Number((await rows(ex, sql`select count(*)::int as n from users where totp_secret_enc is not null`))[0]?.n ?? 0);
}

/** A stored TOTP secret that the key cannot decrypt, if any (databases from before the fingerprint existed). */
async function undecryptableSecret(ex: Executor, dataEncryptionKey: string): Promise<boolean> {
  const enc = (await rows(ex, sql`select totp_secret_enc from users where totp_secret_enc is not null limit 1`))[0]?.totp_secret_enc;
  if (typeof enc !== 'string') return false;
  try {
    decrypt(deriveKey(dataEncryptionKey, 'totp-secret'), enc);
    return false;
  } catch {
    return true;
  }
}

/**
 * Checks the key against the database (after migrations). Records the fingerprint on first use. Throws a
 * StartupError explaining a mismatch.
 */
export async function checkDataKey(database: Database, dataEncryptionKey: string, source: KeySource, dataDir: string): Promise<'recorded' | 'matched'> {
  const current = dataKeyFingerprint(dataEncryptionKey);
  const recorded = await recordedFingerprint(database.db);
  if (recorded === current) return 'matched';
  if (recorded !== null || (await undecryptableSecret(database.db, dataEncryptionKey))) {
    throw new StartupError('data-encryption key', 'DATA_ENCRYPTION_KEY', explain(source, dataDir, recorded, current, await twoFactorUserCount(database.db)));
  }
  await recordFingerprint(database.db, current);
  return 'recorded';
}

/**
 * The recovery when the original key is gone: 2FA off for every account, every session ended, the current key's
 * fingerprint recorded, one audit entry. One transaction.
 */
export async function forgetTwoFactor(database: Database, dataEncryptionKey: string): Promise<{ accounts: number; sessions: number; userIds: string[] }> {
  return database.db.transaction(async (tx) => {
    const users = await rows(
      tx,
      sql`update users set totp_secret_enc = null, totp_enabled_at = null, totp_last_step = null, backup_code_hashes = '{}', updated_at = now()
          where totp_secret_enc is not null returning id`,
    );
    const sessions = await rows(
      tx,
      sql`update sessions set revoked_at = now(), revoked_reason = 'data_key_replaced' where revoked_at is null returning user_id`,
    );
    await recordFingerprint(tx, dataKeyFingerprint(dataEncryptionKey));
    const result = { accounts: users.length, sessions: sessions.length };
    await recordAudit(tx, { actorId: null, action: 'security.forget_2fa', targetType: 'instance', targetId: null, details: { via: 'cli', ...result } });
    return { ...result, userIds: [...new Set(sessions.map((s) => String(s.user_id)))] };
  });
}
