import { createHash, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { COMMON_PASSWORDS } from './common-passwords.ts';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~50 ms here, and no native build step. Argon2id is the
// library's default algorithm (its const enum cannot be imported under verbatimModuleSyntax); a test checks the prefix.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * Password hashes brought over from the original system (npm run import:legacy) are stored tagged with their
 * scheme: `legacy-bcrypt:<$2a$/$2b$/$2y$ hash>` (passlib's bcrypt) or `legacy-sha256:<hex digest>` (the original's
 * older unsalted SHA-256 fallback). They are verified once, at the next sign-in, which then stores an argon2id hash
 * (see needsRehash and auth.service login). Nothing else ever writes these prefixes.
 */
export const LEGACY_BCRYPT = 'legacy-bcrypt:';
export const LEGACY_SHA256 = 'legacy-sha256:';

/** The stored form of a hash imported from the original system, or null when it is no hash we can verify. */
export function tagLegacyHash(raw: string): string | null {
  const h = raw.trim();
  if (/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(h)) return LEGACY_BCRYPT + h;
  if (/^[0-9a-f]{64}$/i.test(h)) return LEGACY_SHA256 + h.toLowerCase();
  if (h.startsWith('$argon2id$')) return h;
  return null;
}

/** True when the stored hash is not (yet) argon2id: the caller stores hashPassword(password) after a good check. */
export function needsRehash(stored: string): boolean {
  return stored.startsWith(LEGACY_BCRYPT) || stored.startsWith(LEGACY_SHA256);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (stored.startsWith(LEGACY_BCRYPT)) {
    // bcrypt reads at most 72 bytes, as passlib did; longer passwords verify the same way they did there.
    return bcrypt.compare(password, stored.slice(LEGACY_BCRYPT.length)).catch(() => false);
  }
  if (stored.startsWith(LEGACY_SHA256)) {
    const want = Buffer.from(stored.slice(LEGACY_SHA256.length), 'hex');
    const got = createHash('sha256').update(password, 'utf8').digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  try {
    return await verify(stored, password);
  } catch {
    return false; // not an argon2 hash (e.g. rows inserted by tests)
  }
}

let dummy: Promise<string> | null = null;
/** Spends the time of a real verification when the account does not exist, so timing does not tell. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('not-a-real-password-0000');
  await verifyPassword(await dummy, password);
}

/** Problems with a new password, empty when acceptable. Length limits are also in the contract. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  const lower = password.toLowerCase();
  if (password.length < 10) problems.push('must be at least 10 characters');
  if (password.length > 256) problems.push('must be at most 256 characters');
  const local = email.split('@')[0] ?? '';
  if (lower.includes(email.toLowerCase()) || lower === local.toLowerCase()) {
    problems.push('must not be your email address');
  }
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password) || isSequence(lower)) {
    problems.push('is too common; choose something less guessable');
  }
  return problems;
}

function isSequence(s: string): boolean {
  const rows = ['0123456789012345678901234567890', '9876543210987654321098765432109', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm'];
  return rows.some((r) => r.includes(s));
}
