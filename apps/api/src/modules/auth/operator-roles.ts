import type { OperatorAccount, OperatorRole } from '@cryptovault/contract';
import { OPERATOR_ROLES } from '@cryptovault/contract';
import { asc, eq, ilike, or, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { sessionsEnded } from './sessions.service.ts';
import { type UserRow, users } from './users.schema.ts';

/**
 * Operator roles (issue 21): who holds which, and the one way they change. Roles live in users.operator_roles
 * (migration 0025) and are read with the session on every request (sessions.service.ts createAuthenticator), so
 * after `authStateChanged` a change applies to the operator's next request on every machine.
 */

function accountView(u: UserRow): OperatorAccount {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: sortRoles(u.operatorRoles),
    twoFactorEnabled: u.totpEnabledAt !== null,
    suspended: u.suspendedAt !== null,
    frozen: u.frozenAt !== null,
  };
}

/** In the order of OPERATOR_ROLES, without duplicates. */
export function sortRoles(roles: readonly OperatorRole[]): OperatorRole[] {
  return OPERATOR_ROLES.filter((r) => roles.includes(r));
}

/** Without `q`: every operator (by email). With `q`: up to 50 accounts whose email, name or id matches, operators first. */
export async function listOperators(ex: Executor, q: string | undefined): Promise<OperatorAccount[]> {
  if (!q) {
    const rows = await ex.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.email)).limit(500);
    return rows.map(accountView);
  }
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await ex
    .select()
    .from(users)
    .where(or(ilike(users.email, like), ilike(users.name, like), sql`${users.id}::text = ${q}`))
    .orderBy(sql`${users.role} = 'admin' desc`, asc(users.email))
    .limit(50);
  return rows.map(accountView);
}

export interface RoleChangeCtx {
  actorId: string;
  requestId: string;
}

/**
 * Sets the complete set of roles of `targetId` (a superadmin's act; the route asks for a step-up). In one
 * transaction: the superadmins' rows are locked first, so that two concurrent changes cannot together remove the
 * last superadmin; the actor must still be a superadmin under that lock; the change is audited with before, after
 * and the reason. After the commit the target's cached sessions are dropped everywhere (its next request reads the
 * new roles). Setting the roles it already has changes nothing and writes no audit row.
 */
export async function setOperatorRoles(
  platform: Pick<Platform, 'database' | 'cache' | 'events' | 'log'>,
  ctx: RoleChangeCtx,
  targetId: string,
  requested: readonly OperatorRole[],
  reason: string,
): Promise<OperatorAccount> {
  const roles = sortRoles(requested);
  const result = await platform.database.db.transaction(async (tx) => {
    const superadmins = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`'superadmin' = any(${users.operatorRoles})`)
      .orderBy(asc(users.id))
      .for('update');
    if (!superadmins.some((s) => s.id === ctx.actorId)) {
      throw new AppError('FORBIDDEN', 'Only a superadmin can change operator roles');
    }
    const [target] = await tx.select().from(users).where(eq(users.id, targetId)).for('update');
    if (!target) throw notFound('User');
    const before = sortRoles(target.operatorRoles);
    if (before.join() === roles.join()) return { account: accountView(target), changed: false };
    const wasSuper = before.includes('superadmin');
    if (wasSuper && !roles.includes('superadmin') && superadmins.length <= 1) {
      throw new AppError('INVALID_STATE', 'This is the last superadmin: grant the role to another operator before removing it here');
    }
    const [updated] = await tx.update(users).set({ operatorRoles: roles, updatedAt: sql`now()` }).where(eq(users.id, targetId)).returning();
    await recordAudit(tx, {
      actorId: ctx.actorId,
      action: 'operator.roles_changed',
      targetType: 'user',
      targetId,
      requestId: ctx.requestId,
      details: { before, after: roles, reason, email: target.email },
    });
    return { account: accountView(updated!), changed: true };
  });
  // The target's sessions stop trusting their cached principal: the new roles apply at its next request.
  if (result.changed) await sessionsEnded(platform, targetId, []);
  return result.account;
}
