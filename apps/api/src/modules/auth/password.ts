import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~50 ms here, and no native build step. Argon2id is the
// library's default algorithm (its const enum cannot be imported under verbatimModuleSyntax); a test checks the prefix.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
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
