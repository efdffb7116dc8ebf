import { formatMoney, type WithdrawalStatus } from '@cryptovault/contract';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import { D, emitBalanceChanges, release, settleWithdrawal, type UserBalance } from '../ledger/index.ts';
import { contactOf, contactsOf } from '../auth/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import * as repo from './withdrawals.repo.ts';
import type { WithdrawalRow } from './withdrawals.schema.ts';
import { announce, withdrawalView } from './withdrawals.service.ts';
import { releaseKycUsage } from '../kyc/index.ts';

export interface AdminCtx {
  adminId: string;
  requestId: string;
  /** Where the operator acted (audited): the web console (default) or the Telegram bot. */
  channel?: 'console' | 'telegram';
}

export function adminWithdrawalView(r: WithdrawalRow, email: string, approvedBy: string[]) {
  return { ...withdrawalView(r, approvedBy.length), userId: r.userId, userEmail: email, approvedBy };
}

export async function withdrawalQueue(platform: Platform, q: { limit: number; cursor?: string; status: WithdrawalStatus }) {
  const db = platform.database.db;
  const rows = await repo.listQueue(db, { limit: q.limit, cursor: decodeCursor(q.cursor), status: q.status });
  const approvals = await repo.approversOf(
    db,
    rows.map((r) => r.id),
  );
  const contacts = await contactsOf(
    db,
    rows.map((r) => r.userId),
  );
  const flat = rows.map((r) => ({ ...r, email: contacts.get(r.userId)?.email ?? '' }));
  return page(flat, q.limit, (r) => adminWithdrawalView(r, r.email, approvals.get(r.id) ?? []));
}

type Step = 'approve' | 'reject' | 'complete';

/** One admin decision under the withdrawal's row lock, audited in the same transaction. */
async function decide(
  platform: Platform,
  ctx: AdminCtx,
  id: string,
  step: Step,
  apply: (tx: Tx, w: WithdrawalRow) => Promise<{ row: WithdrawalRow; balances: UserBalance[]; details: Record<string, unknown> }>,
) {
  let balances: UserBalance[] = [];
  const out = await platform.database.db.transaction(async (tx) => {
    const w = await repo.lockWithdrawal(tx, id);
    if (!w) throw notFound('Withdrawal');
    if (w.userId === ctx.adminId) throw new AppError('FORBIDDEN', 'Administrators cannot decide on their own withdrawals');
    const r = await apply(tx, w);
    balances = r.balances;
    await recordAudit(tx, {
      actorId: ctx.adminId,
      action: `withdrawal.${step}`,
      targetType: 'withdrawal',
      targetId: id,
      requestId: ctx.requestId,
      details: {
        userId: w.userId,
        asset: w.asset,
        amount: new D(w.amount).toFixed(),
        amountUsd: new D(w.amountUsd).toFixed(2),
        status: r.row.status,
        channel: ctx.channel ?? 'console',
        ...r.details,
      },
    });
    const approvedBy = (await repo.approversOf(tx, [id])).get(id) ?? [];
    return { row: r.row, approvedBy };
  });
  emitBalanceChanges(platform, balances);
  return out;
}

export async function approveWithdrawal(platform: Platform, ctx: AdminCtx, id: string) {
  const { row, approvedBy } = await decide(platform, ctx, id, 'approve', async (tx, w) => {
    if (w.status !== 'pending_review') throw new AppError('INVALID_STATE', `A withdrawal that is ${w.status.replace('_', ' ')} cannot be approved`);
    if (!(await repo.addApproval(tx, id, ctx.adminId)))
      throw new AppError('CONFLICT', 'You have already approved this withdrawal; another administrator must approve it');
    const count = (await repo.approversOf(tx, [id])).get(id)?.length ?? 0;
    const row = count >= w.requiredApprovals ? await repo.updateWithdrawal(tx, id, { status: 'approved', decidedBy: ctx.adminId }) : w;
    return { row, balances: [], details: { approvals: count, requiredApprovals: w.requiredApprovals } };
  });
  const view = withdrawalView(row, approvedBy.length);
  if (row.status === 'approved') {
    await announce(
      platform,
      view,
      'Withdrawal approved',
      `Your withdrawal of ${formatMoney(view.amount, view.asset, { maxDecimals: 18 })} was approved and will be sent shortly.`,
      row.userId,
    );
  }
  return adminView(platform, row, approvedBy);
}

export async function rejectWithdrawal(platform: Platform, ctx: AdminCtx, id: string, reason: string) {
  const { row, approvedBy } = await decide(platform, ctx, id, 'reject', async (tx, w) => {
    if (w.status !== 'pending_review' && w.status !== 'approved')
      throw new AppError('INVALID_STATE', `A withdrawal that is ${w.status.replace('_', ' ')} cannot be rejected`);
    const row = await repo.updateWithdrawal(tx, id, { status: 'rejected', rejectReason: reason, decidedBy: ctx.adminId });
    await releaseKycUsage(tx, `withdrawal:${id}`);
    const posted = await release(tx, { userId: w.userId, asset: w.asset, amount: new D(w.amount).plus(w.fee), reference: `withdrawal:${id}` });
    return { row, balances: posted.balances, details: { reason } };
  });
  const view = withdrawalView(row, approvedBy.length);
  await announce(
    platform,
    view,
    'Withdrawal rejected',
    `Your withdrawal of ${formatMoney(view.amount, view.asset, { maxDecimals: 18 })} was rejected: ${reason}. The funds are available again.`,
    row.userId,
  );
  return adminView(platform, row, approvedBy);
}

export async function completeWithdrawal(platform: Platform, ctx: AdminCtx, id: string, txHash: string) {
  const { row, approvedBy } = await decide(platform, ctx, id, 'complete', async (tx, w) => {
    if (w.status !== 'approved')
      throw new AppError('INVALID_STATE', `A withdrawal that is ${w.status.replace('_', ' ')} cannot be completed; it must be approved first`);
    const row = await repo.updateWithdrawal(tx, id, { status: 'completed', txHash, completedAt: new Date() });
    const posted = await settleWithdrawal(tx, {
      userId: w.userId,
      asset: w.asset,
      amount: w.amount,
      fee: w.fee,
      reference: `withdrawal:${id}`,
      memo: { txHash },
    });
    return { row, balances: posted.balances, details: { txHash } };
  });
  const view = withdrawalView(row, approvedBy.length);
  await announce(
    platform,
    view,
    'Withdrawal sent',
    `Your withdrawal of ${formatMoney(view.amount, view.asset, { maxDecimals: 18 })} was sent. Transaction: ${txHash}`,
    row.userId,
  );
  return adminView(platform, row, approvedBy);
}

async function adminView(platform: Platform, row: WithdrawalRow, approvedBy: string[]) {
  const u = await contactOf(platform.database.db, row.userId);
  return adminWithdrawalView(row, u?.email ?? '', approvedBy);
}
