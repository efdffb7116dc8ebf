import { type CreateWithdrawalRequest, NETWORKS, type Withdrawal, type WithdrawalAsset } from '@cryptovault/contract';
import { and, eq } from 'drizzle-orm';
import { ASSETS, findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { idempotencyKeys } from '../../platform/idempotency/idempotency.schema.ts';
import { type IdempotentResult, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import { type Principal, requireNotFrozen } from '../../platform/principal.ts';
import {
  availableOf,
  D,
  decimalPlaces,
  emitBalanceChanges,
  fixed,
  hold,
  insufficientFunds,
  moneyWords,
  release,
  usdPrice,
  type UserBalance,
} from '../ledger/index.ts';
import { checkKycLimit, recordKycUsage, releaseKycUsage } from '../kyc/index.ts';
import { notify } from '../notifications/index.ts';
import { assertNotFrozen, resolveDestination } from '../security/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import { checkAddress, WITHDRAWABLE } from './addresses.ts';
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

/** Assets that can leave the platform (an address rule and a fee), with their networks: the withdraw form's lists. */
export function withdrawalAssets(platform: Pick<Platform, 'config'>): WithdrawalAsset[] {
  const fees = platform.config.withdrawals.fees;
  return ASSETS.filter((a) => Object.hasOwn(WITHDRAWABLE, a.symbol) && fees[a.symbol] !== undefined).map((a) => {
    const spec = WITHDRAWABLE[a.symbol]!;
    return {
      asset: a.symbol,
      name: a.name,
      precision: a.amountPrecision,
      fee: new D(fees[a.symbol]!).toFixed(),
      networks: Object.keys(spec.networks).map((id) => ({ id, name: NETWORKS[id]?.name ?? id })),
      defaultNetwork: spec.defaultNetwork,
    };
  });
}

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
  if (input.asset === QUOTE_ASSET) throw invalid('asset', 'USD cannot be withdrawn: withdrawals send a crypto asset to an address');
  if (!asset) throw invalid('asset', `${input.asset} is not an asset listed on CryptoVault`);
  if (input.address !== undefined) {
    const addr = checkAddress(asset.symbol, input.address, input.network);
    if (!addr.ok) throw invalid(addr.reason.includes('address') ? 'address' : 'network', addr.reason);
  }
  if (decimalPlaces(input.amount) > asset.amountPrecision) throw invalid('amount', `A ${asset.symbol} amount has at most ${asset.amountPrecision} decimals`);
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
    // Funds first: the limit message only when the limit is what refuses (the hold's CHECK still decides below).
    const available = new D(await availableOf(tx, p.userId, asset.symbol));
    if (available.lt(total)) {
      const detail = `${moneyWords(input.amount, asset.symbol)} plus a ${moneyWords(fee, asset.symbol)} network fee`;
      throw insufficientFunds({ asset: asset.symbol, available, required: total, what: 'this withdrawal', detail });
    }
    const used = new D(await repo.usdInLastDay(tx, p.userId));
    if (used.plus(amountUsd).gt(config.withdrawals.dailyLimitUsd)) {
      const left = D.max(new D(config.withdrawals.dailyLimitUsd).minus(used), 0);
      throw new AppError(
        'LIMIT_EXCEEDED',
        `This withdrawal (about ${moneyWords(amountUsd, QUOTE_ASSET)}) would exceed your daily withdrawal limit of ${moneyWords(config.withdrawals.dailyLimitUsd, QUOTE_ASSET)}; ${moneyWords(left, QUOTE_ASSET)} is left for the next 24 hours`,
        { limitUsd: config.withdrawals.dailyLimitUsd, usedUsd: fixed(used, 2) },
      );
    }
    // The verification tier's limits (modules/kyc): daily and monthly, in USD at this moment.
    await checkKycLimit(tx, config, { userId: p.userId, kind: 'withdrawal', amountUsd });
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
    await recordKycUsage(tx, { userId: p.userId, kind: 'withdrawal', amountUsd, reference: `withdrawal:${row.id}` });
    const posted = await hold(tx, { userId: p.userId, asset: asset.symbol, amount: total, reference: `withdrawal:${row.id}`, memo: { address: dest.address } });
    balances = posted.balances;
    return { status: 201, body: withdrawalView(row, 0) };
  });
  if (!result.replayed) {
    emitBalanceChanges(platform, balances);
    const w = result.body;
    platform.events.emit('withdrawal.requested', {
      withdrawalId: w.id,
      userId: p.userId,
      asset: w.asset,
      amount: w.amount,
      amountUsd: w.amountUsd,
      network: w.network,
      address: w.address,
      requiredApprovals: w.requiredApprovals,
    });
    await announce(
      platform,
      result.body,
      'Withdrawal requested',
      `Your withdrawal of ${moneyWords(result.body.amount, result.body.asset)} to ${result.body.address} is waiting for review.`,
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
    if (w.status !== 'pending_review') throw new AppError('INVALID_STATE', `A withdrawal that is ${w.status.replace('_', ' ')} cannot be canceled`);
    const updated = await repo.updateWithdrawal(tx, id, { status: 'canceled' });
    await releaseKycUsage(tx, `withdrawal:${id}`);
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
    `Your withdrawal of ${moneyWords(view.amount, view.asset)} was canceled and the funds are available again.`,
    userId,
  );
  return view;
}

/** One of the user's withdrawals (where a history row leads); another user's is 404. */
export async function getWithdrawal(platform: Pick<Platform, 'database'>, userId: string, id: string): Promise<Withdrawal> {
  const db = platform.database.db;
  const row = await repo.findWithdrawal(db, id, userId);
  if (!row) throw notFound('Withdrawal');
  const approvals = await repo.approversOf(db, [row.id]);
  return withdrawalView(row, approvals.get(row.id)?.length ?? 0);
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
