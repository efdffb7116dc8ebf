import { randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { AuthDeps } from './auth.context.ts';
import { decrypt, keyedHash } from './secrets.ts';
import * as usersRepo from './users.repo.ts';
import type { UserRow } from './users.schema.ts';

export const TOTP_ISSUER = 'CryptoVault';
const BACKUP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
export const BACKUP_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export async function provisioning(email: string, secret: string): Promise<{ otpauthUrl: string; qrSvg: string }> {
  const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: email, secret });
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { otpauthUrl, qrSvg };
}

/** RFC 6238, 30 s steps, one step of clock drift either way. Returns the matched time step, or null. */
export async function matchTotp(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const r = await verify({ secret, token: code, epochTolerance: 30, ...(afterStep !== null ? { afterTimeStep: afterStep } : {}) });
  return r.valid && 'timeStep' in r ? r.timeStep : null;
}

export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from({ length: 8 }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  });
}

export function hashBackupCode(d: Pick<AuthDeps, 'keys'>, code: string): string {
  return keyedHash(d.keys.backupCodes, code.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Which second factor a code that verifySecondFactor accepted was: six digits are TOTP, anything else a backup code. */
export function secondFactorMethod(code: string): 'totp' | 'backup_code' {
  return /^\d{6}$/.test(code.trim()) ? 'totp' : 'backup_code';
}

/**
 * Checks a second factor for a user with 2FA on: a TOTP code (each time step accepted once, atomically) or one of
 * the backup codes (each usable once).
 */
export async function verifySecondFactor(d: AuthDeps, user: UserRow, code: string): Promise<boolean> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    if (!user.totpSecretEnc) return false;
    const step = await matchTotp(decrypt(d.keys.totp, user.totpSecretEnc), trimmed, user.totpLastStep);
    return step !== null && (await usersRepo.claimTotpStep(d.db, user.id, step));
  }
  // Backup codes exist only while the account has a second factor (TOTP or a passkey): they are cleared with the last one.
  if (user.backupCodeHashes.length === 0) return false;
  return usersRepo.consumeBackupCode(d.db, user.id, hashBackupCode(d, trimmed));
}
