import type { FreezeState, UnfreezeRequest } from '@cryptovault/contract';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { Principal } from '../../platform/principal.ts';
import type { RateRule } from '../../platform/ratelimit.ts';
import { recordAudit } from '../audit/index.ts';
import {
  type AuthDeps,
  countPasskeys,
  findUserById,
  type RequestContext,
  revokeUserSessions,
  secondFactorsOf,
  sessionsEnded,
  verifyPassword,
  verifySecondFactor,
} from '../auth/index.ts';
import { cancelWithdrawal, listUserWithdrawals } from '../withdrawals/index.ts';
import { revokeUserApiKeys } from '../apikeys/index.ts';
import { audit, securityEvent } from './address-book.service.ts';
import * as repo from './security.repo.ts';
import { accountFrozenEmail, accountUnfrozenEmail, unfreezeLinkEmail } from './security.emails.ts';

const MIN = 60_000;
export const UNFREEZE_LINK_TTL_MINUTES = 60;
export const FREEZE_LIMITS = {
  freezeIp: { name: 'security:freeze:ip', limit: 30, windowMs: 15 * MIN },
  unfreezeRequestUser: { name: 'security:unfreeze-request:user', limit: 3, windowMs: 60 * MIN },
  unfreezeIp: { name: 'security:unfreeze:ip', limit: 20, windowMs: 60 * MIN },
  unfreezeUser: { name: 'security:unfreeze:user', limit: 5, windowMs: 15 * MIN },
} satisfies Record<string, RateRule>;

/**
 * Freezes `userId` in one transaction with its audit record: every session revoked (sockets are disconnected by
 * sessionsEnded), then withdrawals still pending review are canceled (their funds released) and the owner is
 * emailed. A second freeze of a frozen account still revokes sessions (a thief may have signed in again).
 */
async function freeze(
  platform: Platform,
  userId: string,
  reason: string,
  entry: { actorId: string; action: string; requestId: string; details: Record<string, unknown>; event: Partial<RequestContext> },
) {
  const db = platform.database.db;
  const { changed, ended } = await db.transaction(async (tx) => {
    const changed = await repo.setFrozen(tx, userId, true, reason);
    const ended = await revokeUserSessions(tx, userId, 'account_frozen');
    // API keys are revoked, not paused: unfreezing must not hand a thief's key back.
    const revokedApiKeys = await revokeUserApiKeys(tx, userId, 'account_frozen');
    await recordAudit(tx, {
      actorId: entry.actorId,
      action: entry.action,
      targetType: 'user',
      targetId: userId,
      requestId: entry.requestId,
      details: { ...entry.details, reason, alreadyFrozen: !changed, revokedSessions: ended.length, revokedApiKeys },
    });
    await securityEvent(tx, userId, 'account_frozen', entry.event, { by: entry.details.via === 'operator' ? 'operator' : 'owner' });
    return { changed, ended };
  });
  await sessionsEnded(platform, userId, ended);
  const pending = await listUserWithdrawals(db, userId, { limit: 100, cursor: null, status: 'pending_review' });
  for (const w of pending) {
    await cancelWithdrawal(platform, userId, w.id).catch((err: unknown) =>
      platform.log.warn({ err, withdrawalId: w.id }, 'freeze: pending withdrawal not canceled'),
    );
  }
  if (changed) sendInBackground(platform.mailer, platform.log, accountFrozenEmail(changed.email, platform.config.appUrl), 'account-frozen');
  return { revokedSessions: ended.length };
}

async function state(platform: Pick<Platform, 'database'>, userId: string): Promise<FreezeState> {
  const u = await findUserById(platform.database.db, userId);
  return { frozen: Boolean(u?.frozenAt), frozenAt: u?.frozenAt?.toISOString() ?? null };
}

/** "This wasn't me": the one-time link from a security email. No session needed; the token proves the mailbox. */
export async function freezeWithToken(platform: Platform, token: string, ctx: RequestContext): Promise<FreezeState> {
  await platform.rateLimiter.consume(FREEZE_LIMITS.freezeIp, ctx.ip);
  const t = await repo.consumeToken(platform.database.db, token, 'freeze');
  if (!t)
    throw new AppError('VALIDATION_ERROR', 'This freeze link is invalid, expired or already used', [{ path: ['body', 'token'], message: 'invalid token' }]);
  await freeze(platform, t.userId, 'freeze link', {
    actorId: t.userId,
    action: 'user.freeze',
    requestId: ctx.requestId,
    details: { via: 'email_link', ip: ctx.ip },
    event: ctx,
  });
  return state(platform, t.userId);
}

/** A signed-in owner of a frozen account asks for the unfreeze link (to the account's mailbox). */
export async function requestUnfreeze(
  platform: Pick<Platform, 'config' | 'database' | 'log' | 'mailer' | 'rateLimiter'>,
  p: Principal,
  ctx: RequestContext,
): Promise<void> {
  if (!p.frozen) throw new AppError('INVALID_STATE', 'This account is not frozen');
  await platform.rateLimiter.consume(FREEZE_LIMITS.unfreezeRequestUser, p.userId);
  const user = await findUserById(platform.database.db, p.userId);
  if (!user) throw notFound('User');
  const token = await repo.issueToken(platform.database.db, { userId: p.userId, purpose: 'unfreeze', ttlSeconds: UNFREEZE_LINK_TTL_MINUTES * 60 });
  await audit(platform.database.db, p.userId, 'user.unfreeze_requested', ctx, { ip: ctx.ip }, { kind: 'unfreeze_requested' });
  const link = `${platform.config.appUrl}/unfreeze?token=${encodeURIComponent(token)}`;
  sendInBackground(platform.mailer, platform.log, unfreezeLinkEmail(user.email, link, UNFREEZE_LINK_TTL_MINUTES), 'unfreeze-link');
}

/**
 * The owner lifts the freeze with full re-verification: the emailed link (the mailbox), the password, and the
 * second factor when the account has one. The link is spent only when all of them hold; attempts are limited.
 */
export async function unfreezeWithToken(d: AuthDeps, input: UnfreezeRequest, ctx: RequestContext): Promise<FreezeState> {
  const { platform } = d;
  await platform.rateLimiter.consume(FREEZE_LIMITS.unfreezeIp, ctx.ip);
  const bad = () =>
    new AppError('VALIDATION_ERROR', 'This unfreeze link is invalid, expired or already used; ask for a new one', [
      { path: ['body', 'token'], message: 'invalid token' },
    ]);
  const t = await repo.peekToken(d.db, input.token, 'unfreeze');
  if (!t) throw bad();
  await platform.rateLimiter.consume(FREEZE_LIMITS.unfreezeUser, t.userId);
  const user = await findUserById(d.db, t.userId);
  if (!user) throw bad();
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError('UNAUTHENTICATED', 'The password is wrong', [{ path: ['body', 'password'], message: 'wrong password' }]);
  }
  // Any second factor counts: a passkey-only account answers here with one of its backup codes (a passkey needs a
  // challenge bound to a sign-in or a session, which this link flow does not have).
  const factors = secondFactorsOf(user, await countPasskeys(d.db, user.id));
  if (factors.length > 0) {
    const code = input.totpCode ?? input.backupCode;
    if (!code) {
      throw new AppError(
        'TOTP_REQUIRED',
        factors.includes('totp') ? 'Enter the code from your authenticator app (or a backup code)' : 'Enter one of your backup codes',
        {
          methods: factors,
        },
      );
    }
    if (!(await verifySecondFactor(d, user, code))) throw new AppError('TOTP_INVALID', 'The authentication code is wrong or was already used');
  }
  const changed = await d.db.transaction(async (tx) => {
    const used = await repo.consumeToken(tx, input.token, 'unfreeze');
    if (used?.userId !== user.id) throw bad();
    const changed = await repo.setFrozen(tx, user.id, false, null);
    await audit(
      tx,
      user.id,
      'user.unfreeze',
      ctx,
      { via: 'owner_reverified', ip: ctx.ip, secondFactor: factors.length > 0, wasFrozen: Boolean(changed) },
      { kind: 'account_unfrozen', details: { by: 'owner' } },
    );
    return changed;
  });
  await sessionsEnded(platform, user.id, []);
  if (changed) sendInBackground(platform.mailer, platform.log, accountUnfrozenEmail(changed.email, 'owner', null), 'account-unfrozen');
  return state(platform, user.id);
}

export interface OperatorCtx {
  adminId: string;
  requestId: string;
}

/** An operator freezes an account (a reported compromise): the same effects as the owner's link, audited with the reason. */
export async function operatorFreeze(platform: Platform, ctx: OperatorCtx, userId: string, reason: string): Promise<{ ok: true; revokedSessions: number }> {
  if (!(await findUserById(platform.database.db, userId))) throw notFound('User');
  const r = await freeze(platform, userId, reason, {
    actorId: ctx.adminId,
    action: 'user.freeze',
    requestId: ctx.requestId,
    details: { via: 'operator' },
    event: {},
  });
  return { ok: true, revokedSessions: r.revokedSessions };
}

/** An operator lifts a freeze: admin session with 2FA (the route), a reason, audited, and the owner emailed. */
export async function operatorUnfreeze(
  platform: Pick<Platform, 'database' | 'log' | 'mailer' | 'cache' | 'events'>,
  ctx: OperatorCtx,
  userId: string,
  reason: string,
): Promise<{ ok: true }> {
  if (userId === ctx.adminId) throw new AppError('INVALID_STATE', 'You cannot unfreeze your own account; another operator must');
  const changed = await platform.database.db.transaction(async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user) throw notFound('User');
    if (!user.frozenAt) throw new AppError('INVALID_STATE', 'This account is not frozen');
    const changed = await repo.setFrozen(tx, userId, false, null);
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'user.unfreeze',
      targetType: 'user',
      targetId: userId,
      requestId: ctx.requestId,
      details: { via: 'operator', reason, frozenSince: user.frozenAt.toISOString(), frozenReason: user.frozenReason },
    });
    await securityEvent(tx, userId, 'account_unfrozen', {}, { by: 'operator', reason });
    return changed;
  });
  await sessionsEnded(platform, userId, []);
  if (changed) sendInBackground(platform.mailer, platform.log, accountUnfrozenEmail(changed.email, 'operator', reason), 'account-unfrozen');
  return { ok: true };
}
