import { type CreateTransferRequest, formatMoney, type Transfer } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET, USD_PRECISION } from '../../platform/assets.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type IdempotentResult, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import type { Platform } from '../../platform/index.ts';
import type { Executor } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/principal.ts';
import { accountByEmail, contactOf, contactsOf } from '../auth/index.ts';
import { checkKycLimit, recordKycUsage } from '../kyc/index.ts';
import { availableOf, D, decimalPlaces, emitBalanceChanges, insufficientFunds, transfer, type UserBalance, usdPrice } from '../ledger/index.ts';
import { notify } from '../notifications/index.ts';
import { assertNotFrozen } from '../security/index.ts';
import { decodeCursor, page } from '../../platform/db/paging.ts';
import * as repo from './transfers.repo.ts';
import type { TransferRow } from './transfers.schema.ts';

function view(t: TransferRow, me: string, other: { email: string; name: string }): Transfer {
  return {
    id: t.id,
    direction: t.senderId === me ? 'out' : 'in',
    counterpartyEmail: other.email,
    counterpartyName: other.name,
    asset: t.asset,
    amount: new D(t.amount).toFixed(),
    note: t.note,
    createdAt: t.createdAt.toISOString(),
  };
}

// One answer for unknown, unverified and suspended recipients: the sender learns no more than "not a usable account".
const noSuchRecipient = () => new AppError('NOT_FOUND', 'No verified CryptoVault account can receive transfers at that email');

/**
 * Instant, atomic, idempotent transfer between two users' available balances. The route's step-up and the
 * sender's funds are checked before the recipient is looked up, so nobody learns whether an email has an account
 * without sending money to it.
 */
export async function createTransfer(platform: Platform, p: Principal, input: CreateTransferRequest, key: string | null): Promise<IdempotentResult<Transfer>> {
  const symbol = input.asset === QUOTE_ASSET ? QUOTE_ASSET : findAsset(input.asset)?.symbol;
  if (!symbol) throw new AppError('VALIDATION_ERROR', `Unknown asset ${input.asset}`, [{ path: ['body', 'asset'], message: 'unknown asset' }]);
  const places = symbol === QUOTE_ASSET ? USD_PRECISION : (findAsset(symbol)?.amountPrecision ?? 8);
  if (decimalPlaces(input.amount) > places) {
    throw new AppError('VALIDATION_ERROR', `${symbol} amounts have at most ${places} decimals`, [{ path: ['body', 'amount'], message: 'too many decimals' }]);
  }
  const db = platform.database.db;
  const email = input.recipientEmail.trim().toLowerCase();
  const me = await contactOf(db, p.userId);
  if (me?.email === email)
    throw new AppError('VALIDATION_ERROR', 'You cannot transfer to yourself', [{ path: ['body', 'recipientEmail'], message: 'is your own email' }]);
  // Bounds how many emails one account can probe.
  const rl = await platform.rateLimiter.check({ name: 'transfers:user', limit: 30, windowMs: 3_600_000 }, p.userId);
  if (!rl.allowed) throw new AppError('RATE_LIMITED', 'Too many transfers; try again later', undefined, rl.retryAfterSeconds);

  let balances: UserBalance[] = [];
  let recipientId = '';
  const result = await runIdempotent(db, { userId: p.userId, scope: 'transfer', key, body: { ...input, recipientEmail: email } }, async (tx) => {
    await assertNotFrozen(tx, p.userId);
    // Funds before the recipient: an existing and an unknown email get the same answer until money can move.
    const available = await availableOf(tx, p.userId, symbol);
    if (new D(available).lt(input.amount)) throw insufficientFunds({ asset: symbol, available, required: input.amount, what: 'this transfer' });
    // The sender's verification tier limits (modules/kyc), also before the recipient is looked up.
    const price = symbol === QUOTE_ASSET ? '1' : usdPrice(platform.prices, symbol);
    if (!price && platform.config.kyc.enforced) throw new AppError('PRICE_STALE', `No current ${symbol} price to value this transfer; try again shortly`);
    const amountUsd = price ? new D(input.amount).times(price).toDecimalPlaces(2, D.ROUND_UP) : null;
    if (amountUsd) await checkKycLimit(tx, platform.config, { userId: p.userId, kind: 'transfer', amountUsd });
    const r = await accountByEmail(tx, email);
    if (!r?.verifiedAt || r.suspendedAt) throw noSuchRecipient();
    if (r.id === p.userId) throw new AppError('VALIDATION_ERROR', 'You cannot transfer to yourself');
    recipientId = r.id;
    const row = await repo.insertTransfer(tx, { senderId: p.userId, recipientId: r.id, asset: symbol, amount: input.amount, note: input.note ?? null });
    if (amountUsd) await recordKycUsage(tx, { userId: p.userId, kind: 'transfer', amountUsd, reference: `transfer:${row.id}` });
    const posted = await transfer(tx, { fromUserId: p.userId, toUserId: r.id, asset: symbol, amount: input.amount, reference: `transfer:${row.id}` });
    balances = posted.balances;
    return { status: 201, body: view(row, p.userId, r) };
  });
  if (!result.replayed) {
    emitBalanceChanges(platform, balances);
    const t = result.body;
    await notify(platform, {
      userId: recipientId,
      type: 'transfer',
      title: 'Transfer received',
      body: `${me?.name ?? 'A CryptoVault user'} (${me?.email ?? ''}) sent you ${formatMoney(t.amount, t.asset, { maxDecimals: 18 })}${t.note ? `: "${t.note}"` : ''}.`,
      data: { transferId: t.id, asset: t.asset, amount: t.amount },
      email: true,
    });
  }
  return result;
}

export async function listTransfers(platform: Platform, userId: string, q: { limit: number; cursor?: string }) {
  const db = platform.database.db;
  const rows = await repo.listForUser(db, userId, q.limit, decodeCursor(q.cursor));
  const contacts = await contactsOf(
    db,
    rows.map((t) => (t.senderId === userId ? t.recipientId : t.senderId)),
  );
  const flat = rows.map((t) => {
    const other = contacts.get(t.senderId === userId ? t.recipientId : t.senderId);
    return { ...t, other: { email: other?.email ?? '', name: other?.name ?? '' } };
  });
  return page(flat, q.limit, (r) => view(r, userId, r.other));
}

/** One transfer `userId` sent or received (where a history row leads); anyone else's is 404. */
export async function getTransfer(platform: Pick<Platform, 'database'>, userId: string, id: string): Promise<Transfer> {
  const db = platform.database.db;
  const [t] = await repo.findForUser(db, userId, [id]);
  if (!t) throw notFound('Transfer');
  const other = await contactOf(db, t.senderId === userId ? t.recipientId : t.senderId);
  return view(t, userId, { email: other?.email ?? '', name: other?.name ?? '' });
}

/**
 * The other party of each of `userId`'s transfers among `ids`, as the transfers list shows it ("Name (email)"):
 * for the history, which names who money went to or came from. Unknown ids, or another user's transfers, are absent.
 */
export async function counterparties(executor: Executor, userId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await repo.findForUser(
    executor,
    userId,
    [...new Set(ids)].filter((id) => UUID_RE.test(id)),
  );
  const contacts = await contactsOf(
    executor,
    rows.map((t) => (t.senderId === userId ? t.recipientId : t.senderId)),
  );
  const out = new Map<string, string>();
  for (const t of rows) {
    const other = contacts.get(t.senderId === userId ? t.recipientId : t.senderId);
    if (other) out.set(t.id, `${other.name} (${other.email})`);
  }
  return out;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
