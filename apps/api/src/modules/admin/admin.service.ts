import type { accountContext, platformStats, statsSeries as statsSeriesSchema } from '@cryptovault/contract';
import type { z } from 'zod';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { cursorCodec, decodeCursor, page, pageBy } from '../../platform/db/paging.ts';
import { listAudit, recordAudit } from '../audit/index.ts';
import { findUserById, listLiveSessions, revokeUserSessions, searchUsers as searchUserRows, sessionsEnded, setSuspended, type UserRow } from '../auth/index.ts';
import { tiersOf } from '../kyc/index.ts';
import { D, userBalances } from '../ledger/index.ts';
import { insertAnnouncement, listAnnouncements } from '../notifications/index.ts';
import { countUserDeposits } from '../payments/index.ts';
import { countByStatus } from '../withdrawals/index.ts';
import * as repo from './admin.repo.ts';

export interface AdminCtx {
  adminId: string;
  requestId: string;
}

function userView(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    emailVerified: u.emailVerifiedAt !== null,
    twoFactorEnabled: u.totpEnabledAt !== null,
    suspended: u.suspendedAt !== null,
    suspendedAt: u.suspendedAt?.toISOString() ?? null,
    frozenAt: u.frozenAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function searchUsers(platform: Platform, q: { q?: string; limit: number; cursor?: string }) {
  const rows = await searchUserRows(platform.database.db, q.q, q.limit, decodeCursor(q.cursor));
  return page(rows, q.limit, userView);
}

export async function userDetail(platform: Platform, id: string) {
  const db = platform.database.db;
  const u = await findUserById(db, id);
  if (!u) throw notFound('User');
  const [balances, sessions, pending, deposits] = await Promise.all([
    userBalances(db, id),
    listLiveSessions(db, id),
    countByStatus(db, id, 'pending_review'),
    countUserDeposits(db, u.id),
  ]);
  return {
    ...userView(u),
    balances: balances.map((b) => ({
      asset: b.asset,
      available: new D(b.available).toFixed(),
      locked: new D(b.locked).toFixed(),
      total: new D(b.available).plus(b.locked).toFixed(),
    })),
    activeSessions: sessions.length,
    pendingWithdrawals: pending,
    deposits,
  };
}

/** Suspend: login is refused (auth checks suspended_at) and every session ends now, in one transaction. */
export async function suspendUser(platform: Platform, ctx: AdminCtx, id: string, reason: string) {
  if (id === ctx.adminId) throw new AppError('INVALID_STATE', 'You cannot suspend your own account');
  const revoked = await platform.database.db.transaction(async (tx) => {
    const u = await setSuspended(tx, id, true);
    if (!u) throw notFound('User');
    const ended = await revokeUserSessions(tx, id, 'suspended');
    const n = ended.length;
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'user.suspend',
      targetType: 'user',
      targetId: id,
      requestId: ctx.requestId,
      details: { reason, revokedSessions: n },
    });
    return ended;
  });
  await sessionsEnded(platform, id, revoked);
  return { ok: true as const, revokedSessions: revoked.length };
}

export async function unsuspendUser(platform: Platform, ctx: AdminCtx, id: string) {
  await platform.database.db.transaction(async (tx) => {
    const u = await setSuspended(tx, id, false);
    if (!u) throw notFound('User');
    await recordAudit(tx, { actorId: ctx.adminId, action: 'user.unsuspend', targetType: 'user', targetId: id, requestId: ctx.requestId });
  });
  await sessionsEnded(platform, id, []);
  return { ok: true as const };
}

export async function forceLogout(platform: Platform, ctx: AdminCtx, id: string) {
  const revoked = await platform.database.db.transaction(async (tx) => {
    const u = await findUserById(tx, id);
    if (!u) throw notFound('User');
    const ended = await revokeUserSessions(tx, id, 'admin_force_logout');
    const n = ended.length;
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'user.force_logout',
      targetType: 'user',
      targetId: id,
      requestId: ctx.requestId,
      details: { revokedSessions: n },
    });
    return ended;
  });
  await sessionsEnded(platform, id, revoked);
  return { ok: true as const, revokedSessions: revoked.length };
}

export async function stats(platform: Platform): Promise<z.infer<typeof platformStats>> {
  const s = await repo.stats(platform.database.db);
  const i = (k: string) => Number(s[k] ?? 0);
  return {
    users: { total: i('users_total'), verified: i('users_verified'), suspended: i('users_suspended'), admins: i('users_admins'), newLast24h: i('users_new') },
    deposits: {
      pending: i('deposits_pending'),
      underReview: i('deposits_review'),
      finishedLast24h: i('deposits_finished'),
      creditedUsdLast24h: new D(String(s.deposits_credited ?? '0')).toFixed(2),
    },
    withdrawals: { pendingReview: i('withdrawals_pending'), approved: i('withdrawals_approved'), completedLast24h: i('withdrawals_completed') },
    transfers: { last24h: i('transfers_day') },
    alerts: { active: i('alerts_active') },
    prices: { stale: platform.prices.isStale(), ageMs: platform.prices.ageMs() },
    reconciliationUrl: '/api/admin/reconciliation',
    generatedAt: new Date().toISOString(),
  };
}

/** The audit log pages by its serial id, newest first. */
const auditCursor = cursorCodec<number>(
  (id) => [id],
  ([raw, ...rest]) => {
    const id = Number.parseInt(raw ?? '', 10);
    return rest.length === 0 && Number.isSafeInteger(id) ? id : null;
  },
);

export async function auditLog(
  platform: Platform,
  q: { limit: number; cursor?: string; actorId?: string; action?: string; targetType?: string; targetId?: string },
) {
  const beforeId = auditCursor.decode(q.cursor) ?? undefined;
  const rows = await listAudit(platform.database.db, {
    limit: q.limit,
    beforeId,
    actorId: q.actorId,
    action: q.action,
    targetType: q.targetType,
    targetId: q.targetId,
  });
  return pageBy(
    rows,
    q.limit,
    (r) => ({
      id: String(r.id),
      actorId: r.actorId,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      requestId: r.requestId,
      details: r.details,
      createdAt: r.createdAt.toISOString(),
    }),
    (last) => auditCursor.encode(last.id),
  );
}

function announcementView(r: Awaited<ReturnType<typeof insertAnnouncement>>) {
  return { id: r.id, title: r.title, message: r.message, level: r.level, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}

/** Stored, audited, then broadcast to every connected client on every machine. */
export async function announce(platform: Platform, ctx: AdminCtx, input: { title: string; message: string; level: 'info' | 'warning' | 'critical' }) {
  const row = await platform.database.db.transaction(async (tx) => {
    const r = await insertAnnouncement(tx, { ...input, createdBy: ctx.adminId });
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: 'announcement.create',
      targetType: 'announcement',
      targetId: r.id,
      requestId: ctx.requestId,
      details: { title: input.title, level: input.level },
    });
    return r;
  });
  const view = announcementView(row);
  platform.realtime.broadcast('announcement', view);
  return view;
}

export async function announcements(platform: Platform) {
  return { items: (await listAnnouncements(platform.database.db, 50)).map(announcementView) };
}

type AccountContext = z.infer<typeof accountContext>;

/**
 * Adds each queue item's account context (accountContext in the contract) to a page of queue items, in one query for
 * the page: who the account is, what it holds of the item's asset, what it has moved before.
 */
export async function withAccountContext<T extends { userId: string }>(
  platform: Platform,
  pageOfItems: { items: T[]; nextCursor: string | null },
  assetOf: (item: T) => string,
): Promise<{ items: (T & { account: AccountContext })[]; nextCursor: string | null }> {
  const rows = await repo.accountContexts(
    platform.database.db,
    pageOfItems.items.map((i) => ({ userId: i.userId, asset: assetOf(i) })),
  );
  const byPair = new Map(rows.map((r) => [`${r.user_id}|${r.asset}`, r]));
  const tiers = await tiersOf(platform.database.db, [...new Set(rows.map((r) => r.user_id))]);
  const items = pageOfItems.items.flatMap((i) => {
    const r = byPair.get(`${i.userId}|${assetOf(i)}`);
    if (!r) return []; // the account row is gone: cannot happen while users are never deleted
    const account: AccountContext = {
      name: r.name,
      email: r.email,
      createdAt: new Date(r.created_at).toISOString(),
      emailVerified: r.email_verified,
      twoFactorEnabled: r.two_factor,
      suspended: r.suspended,
      frozen: r.frozen,
      tier: tiers.get(r.user_id) ?? 0,
      balance: { asset: r.asset, available: new D(r.available).toFixed(), locked: new D(r.locked).toFixed() },
      deposits: { count: r.deposits, creditedUsd: new D(r.deposits_usd).toFixed(2) },
      withdrawals: { completed30d: r.withdrawals_30d, completedUsd30d: new D(r.withdrawals_usd_30d).toFixed(2), rejected: r.withdrawals_rejected },
      trades: r.trades,
    };
    return [{ ...i, account }];
  });
  return { items, nextCursor: pageOfItems.nextCursor };
}

export async function statsSeries(platform: Platform, days: number): Promise<z.infer<typeof statsSeriesSchema>> {
  const rows = await repo.statsSeries(platform.database.db, days);
  return {
    days: rows.map((r) => ({
      day: r.day,
      signups: r.signups,
      depositsCreditedUsd: new D(r.deposits_usd).toFixed(2),
      withdrawalsCompletedUsd: new D(r.withdrawals_usd).toFixed(2),
      trades: r.trades,
      tradedUsd: new D(r.traded_usd).toFixed(2),
    })),
    generatedAt: new Date().toISOString(),
  };
}
