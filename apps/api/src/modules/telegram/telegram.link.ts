import { createHmac, randomInt } from 'node:crypto';
import { apiRoutes, mayCall, type TelegramLinkCode, type TelegramStatus } from '@cryptovault/contract';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { type AuthDeps, findUserById, type UserRow } from '../auth/index.ts';
import * as repo from './telegram.repo.ts';
import type { TelegramLinkRow } from './telegram.schema.ts';

/** Link codes live this long: long enough to switch to the phone, short enough to be useless in a screenshot later. */
export const LINK_CODE_TTL_SECONDS = 600;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I
/** /link attempts per chat: 8 characters of 32 (40 bits) stay out of reach of guessing. */
export const LINK_ATTEMPTS = { name: 'telegram:link:chat', limit: 5, windowMs: 15 * 60_000 };

export interface OperatorCtx {
  adminId: string;
  requestId: string;
}

function newCode(): string {
  const c = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}

/** Codes are low-entropy, so they are stored keyed (HMAC under a key from DATA_ENCRYPTION_KEY), never in clear. */
export function hashLinkCode(auth: Pick<AuthDeps, 'keys'>, code: string): string {
  const normal = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return createHmac('sha256', auth.keys.codes).update(`telegram-link:${normal}`).digest('base64url');
}

/**
 * Who may act through the bot: an administrator (2FA on, not frozen or suspended), as requireAdmin asks of a console
 * session. // role: finance (approvals) once operator roles land; linking and alerts need any operator role.
 */
export function operatorProblem(user: UserRow | null): string | null {
  if (user?.role !== 'admin') return 'This account is not a CryptoVault operator.';
  if (user.suspendedAt) return 'This operator account is suspended.';
  if (user.frozenAt) return 'This operator account is frozen: nothing can be done from it until the freeze is lifted.';
  if (!user.totpEnabledAt || !user.totpSecretEnc)
    return 'Approving from Telegram needs an authenticator app (TOTP) on your account: turn it on in Settings first.';
  return null;
}

/**
 * Why this account may not decide on withdrawals and deposits from Telegram, or null: an operator (operatorProblem)
 * holding the role the console's decision routes declare (finance, or superadmin). A linked support or compliance
 * operator receives alerts but cannot decide, as in the console.
 */
export function decisionProblem(user: UserRow | null): string | null {
  const problem = operatorProblem(user);
  if (problem) return problem;
  if (!mayCall(user?.operatorRoles, apiRoutes.admin.approveWithdrawal) || !mayCall(user?.operatorRoles, apiRoutes.admin.resolveDeposit)) {
    return 'Deciding on withdrawals and deposits needs the finance role; ask a superadmin in the console.';
  }
  return null;
}

export async function issueLinkCode(platform: Platform, auth: AuthDeps, ctx: OperatorCtx, botUsername: string | null): Promise<TelegramLinkCode> {
  const code = newCode();
  const expiresAt = await platform.database.db.transaction(async (tx) => {
    const at = await repo.insertLinkCode(tx, { userId: ctx.adminId, codeHash: hashLinkCode(auth, code), ttlSeconds: LINK_CODE_TTL_SECONDS });
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'telegram.link_code',
      targetType: 'user',
      targetId: ctx.adminId,
      requestId: ctx.requestId,
      details: { channel: 'console', expiresAt: at.toISOString() },
    });
    return at;
  });
  return { code, command: `/link ${code}`, expiresAt: expiresAt.toISOString(), botUsername };
}

export type LinkOutcome = { ok: true; link: TelegramLinkRow } | { ok: false; message: string };

/**
 * `/link CODE` in a private chat: spends the code (once, if live), checks the account is still an operator and
 * links this chat to it, audited in the same transaction.
 */
export async function linkChat(
  platform: Platform,
  auth: AuthDeps,
  v: { code: string; chatId: number; telegramUserId: number; username: string | null; requestId: string },
): Promise<LinkOutcome> {
  const refused = { ok: false as const, message: 'That code is not valid: it may have expired or been used. Get a new one in the console (Admin → Telegram).' };
  return platform.database.db.transaction(async (tx) => {
    const userId = await repo.consumeLinkCode(tx, hashLinkCode(auth, v.code));
    if (!userId) return refused;
    const problem = operatorProblem(await findUserById(tx, userId));
    if (problem) return { ok: false as const, message: problem };
    const link = await repo.upsertLink(tx, { userId, chatId: v.chatId, telegramUserId: v.telegramUserId, username: v.username });
    await recordAudit(tx, {
      actorId: userId,
      action: 'telegram.link',
      targetType: 'user',
      targetId: userId,
      requestId: v.requestId,
      details: { channel: 'telegram', telegramUserId: v.telegramUserId, username: v.username },
    });
    return { ok: true as const, link };
  });
}

export async function unlink(platform: Platform, ctx: OperatorCtx & { channel: 'console' | 'telegram' }): Promise<boolean> {
  return platform.database.db.transaction(async (tx) => {
    const gone = await repo.deleteLink(tx, ctx.adminId);
    if (!gone) return false;
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'telegram.unlink',
      targetType: 'user',
      targetId: ctx.adminId,
      requestId: ctx.requestId,
      details: { channel: ctx.channel, telegramUserId: gone.telegramUserId },
    });
    return true;
  });
}

export async function linkStatus(platform: Platform, userId: string, enabled: boolean, botUsername: string | null): Promise<TelegramStatus> {
  const link = enabled ? await repo.linkOfUser(platform.database.db, userId) : null;
  return {
    enabled,
    linked: link !== null,
    username: link?.telegramUsername ?? null,
    linkedAt: link?.linkedAt.toISOString() ?? null,
    botUsername,
  };
}
