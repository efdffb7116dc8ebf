import type { CreateWithdrawalRequest, Withdrawal } from '@cryptovault/contract';
import { and, eq } from 'drizzle-orm';
import { findAsset } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { idempotencyKeys } from '../../platform/idempotency/idempotency.schema.ts';
import { type IdempotentResult, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { type Principal, requireNotFrozen } from '../../platform/principal.ts';
import { D, decimalPlaces, emitBalanceChanges, fixed, hold, release, usdPrice, type UserBalance } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import { assertNotFrozen, resolveDestination } from '../security/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import { checkAddress } from './addresses.ts';
import * as repo from './withdrawals.repo.ts';
import type { WithdrawalRow } from './withdrawals.schema.ts';

const n = (v: string): string => new D(v).toFixed();

export function withdrawalView(r: WithdrawalRow, approvals: number): Withdrawal {
  return {
    id: r.id,
    asset: r.asset,
    amount: n(r.amount),
    fee: n(r.fee),
    total: new D(r.amount).plus(r.fee).toFixed(),
    address: r.address,
    network: r.network,
    status: r.status,
    amountUsd: fixed(r.amountUsd, 2),
    approvals,
    requiredApprovals: r.requiredApprovals,
    txHash: r.txHash,
    rejectReason: r.rejectReason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const invalid = (field: string, message: string) => new AppError('VALIDATION_ERROR', message, [{ path: ['body', field], message }]);

async function alreadyAnswered(platform: Pick<Platform, 'database'>, userId: string, key: string | null): Promise<boolean> {
  if (!key) return false;
  const rows = await platform.database.db
    .select({ k: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.scope, 'withdrawal'), eq(idempotencyKeys.key, key)));
  return rows.length > 0;
}

/**
 * Locks amount + fee and queues the withdrawal for review. The session's step-up is checked first (`stepUpCheck`,
 * the route's requireStepUp; a retry of an answered Idempotency-Key replays without a fresh one); the daily limit and the hold run under a per-user lock, and the
 * ledger's CHECK constraint refuses a hold the balance cannot cover.
 */
export async function requestWithdrawal(
  platform: Platform,
  p: Principal,
  input: CreateWithdrawalRequest,
  key: string | null,
  stepUpCheck: () => void,
): Promise<IdempotentResult<Withdrawal>> {
  const { config } = platform;
  requireNotFrozen(p);
  const asset = findAsset(input.asset);
  if (!asset) throw invalid('asset', `Unknown asset ${input.asset}`);
  if (input.address !== undefined) {
    const addr = checkAddress(asset.symbol, input.address, input.network);
    if (!addr.ok) throw invalid(addr.reason.includes('address') ? 'address' : 'network', addr.reason);
  }
  if (decimalPlaces(input.amount) > asset.amountPrecision) throw invalid('amount', `${asset.symbol} amounts have at most ${asset.amountPrecision} decimals`);
  const fee = config.withdrawals.fees[asset.symbol];
  if (fee === undefined) throw invalid('asset', `${asset.symbol} cannot be withdrawn`);

  const body = input;
  if (!(await alreadyAnswered(platform, p.userId, key))) stepUpCheck();
  // The address book: a named entry must be usable; in "address book only" mode a free address must be one.
  const dest = await resolveDestination(platform.database.db, p.userId, asset.symbol, input);
  const price = usdPrice(platform.prices, asset.symbol);
  if (!price) throw new AppError('PRICE_STALE', `No current ${asset.symbol} price to value this withdrawal; try again shortly`);
  const amountUsd = new D(input.amount).times(price).toDecimalPlaces(2, D.ROUND_UP);
  const total = new D(input.amount).plus(fee);

  let balances: UserBalance[] = [];
  const result = await runIdempotent(platform.database.db, { userId: p.userId, scope: 'withdrawal', key, body }, async (tx) => {
    await repo.lockUserWithdrawals(tx, p.userId);
    await assertNotFrozen(tx, p.userId);
    const used = new D(await repo.usdInLastDay(tx, p.userId));
    if (used.plus(amountUsd).gt(config.withdrawals.dailyLimitUsd)) {
      throw new AppError('LIMIT_EXCEEDED', `This would exceed your daily withdrawal limit of ${config.withdrawals.dailyLimitUsd} USD`, {
        limitUsd: config.withdrawals.dailyLimitUsd,
        usedUsd: fixed(used, 2),
      });
    }
    const row = await repo.insertWithdrawal(tx, {
      userId: p.userId,
      asset: asset.symbol,
      amount: input.amount,
      fee,
      address: dest.address,
      network: dest.network,
      amountUsd: amountUsd.toFixed(),
      requiredApprovals: amountUsd.gte(config.withdrawals.dualApprovalUsd) ? 2 : 1,
    });
    const posted = await hold(tx, { userId: p.userId, asset: asset.symbol, amount: total, reference: `withdrawal:${row.id}`, memo: { address: dest.address } });
    balances = posted.balances;
    return { status: 201, body: withdrawalView(row, 0) };
  });
  if (!result.replayed) {
    emitBalanceChanges(platform, balances);
    await announce(
      platform,
      result.body,
      'Withdrawal requested',
      `Your withdrawal of ${result.body.amount} ${result.body.asset} to ${result.body.address} is waiting for review.`,
      p.userId,
    );
  }
  return result;
}

/** Socket push + notification + email for every step of a withdrawal. */
export async function announce(platform: Platform, w: Withdrawal & { userId?: string }, title: string, body: string, userId?: string): Promise<void> {
  const uid = userId ?? w.userId;
  if (!uid) return;
  platform.realtime.toUser(uid, 'withdrawal:update', w);
  await notify(platform, { userId: uid, type: 'withdrawal', title, body, data: { withdrawalId: w.id, status: w.status }, email: true });
}

export async function cancelWithdrawal(platform: Platform, userId: string, id: string): Promise<Withdrawal> {
  let balances: UserBalance[] = [];
  const view = await platform.database.db.transaction(async (tx) => {
    const w = await repo.lockWithdrawal(tx, id, userId);
    if (!w) throw notFound('Withdrawal');
    if (w.status !== 'pending_review') throw new AppError('INVALID_STATE', `A withdrawal that is ${w.status} cannot be canceled`);
    const updated = await repo.updateWithdrawal(tx, id, { status: 'canceled' });
    const posted = await release(tx, { userId, asset: w.asset, amount: new D(w.amount).plus(w.fee), reference: `withdrawal:${id}` });
    balances = posted.balances;
    const approvals = (await repo.approversOf(tx, [id])).get(id)?.length ?? 0;
    return withdrawalView(updated, approvals);
  });
  emitBalanceChanges(platform, balances);
  await announce(
    platform,
    view,
    'Withdrawal canceled',
    `Your withdrawal of ${view.amount} ${view.asset} was canceled and the funds are available again.`,
    userId,
  );
  return view;
}

export async function listWithdrawals(
  platform: Pick<Platform, 'database'>,
  userId: string,
  q: { limit: number; cursor?: string; status?: Withdrawal['status'] },
) {
  const db = platform.database.db;
  const rows = await repo.listUserWithdrawals(db, userId, { limit: q.limit, cursor: decodeCursor(q.cursor), status: q.status });
  const approvals = await repo.approversOf(
    db,
    rows.map((r) => r.id),
  );
  return page(rows, q.limit, (r) => withdrawalView(r, approvals.get(r.id)?.length ?? 0));
}
