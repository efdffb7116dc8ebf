import type { Database } from '../../platform/db/client.ts';
import { recordAudit } from '../audit/index.ts';
import { normalizeEmail } from './auth.context.ts';
import { hashPassword, passwordProblems } from './password.ts';
import { randomToken } from './secrets.ts';
import * as sessionsRepo from './sessions.repo.ts';
import * as usersRepo from './users.repo.ts';

export interface AdminAccountResult {
  userId: string;
  email: string;
  created: boolean;
  /** The generated one-time password, when one was generated (new account without a given password). */
  generatedPassword: string | null;
}

/**
 * Creates a superadmin operator (issue 21), or promotes an existing account to superadmin. A new account gets the given password or a
 * generated one; an existing account keeps its password unless one is given (then its sessions end). Admin routes
 * still require 2FA, which the admin turns on after the first sign-in.
 */
export async function createOrPromoteAdmin(database: Database, input: { email: string; name?: string; password?: string }): Promise<AdminAccountResult> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new Error(`not a valid email address: ${input.email}`);
  if (input.password !== undefined) {
    const problems = passwordProblems(input.password, email);
    if (problems.length) throw new Error(`password ${problems.join('; ')}`);
  }
  const generatedPassword = input.password === undefined ? randomToken(18) : null;
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  return database.db.transaction(async (tx) => {
    const existing = await usersRepo.findUserByEmail(tx, email);
    if (!existing) {
      // role 'admin' without roles: the migration 0025 trigger makes the new account a superadmin.
      const user = await usersRepo.insertUser(tx, { email, name: input.name?.trim() || 'Administrator', passwordHash, role: 'admin', verified: true });
      if (!user) throw new Error('the account was created concurrently; run the command again');
      await recordAudit(tx, { actorId: null, action: 'admin.create', targetType: 'user', targetId: user.id, details: { via: 'cli', email } });
      return { userId: user.id, email, created: true, generatedPassword };
    }
    await usersRepo.updateUser(tx, existing.id, {
      role: 'admin',
      // The command makes a superadmin, keeping any roles the account already held.
      operatorRoles: [...new Set([...existing.operatorRoles, 'superadmin' as const])],
      ...(input.password !== undefined ? { passwordHash } : {}),
      ...(input.name ? { name: input.name.trim() } : {}),
    });
    if (input.password !== undefined) await sessionsRepo.revokeUserSessions(tx, existing.id, 'password_set_by_operator');
    await recordAudit(tx, {
      actorId: null,
      action: 'admin.promote',
      targetType: 'user',
      targetId: existing.id,
      details: { via: 'cli', email, previousRole: existing.role, previousRoles: existing.operatorRoles, passwordSet: input.password !== undefined },
    });
    return { userId: existing.id, email, created: false, generatedPassword: null };
  });
}
