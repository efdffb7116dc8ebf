import type { AddressBookOnlyState, CreateWithdrawalAddressRequest, WithdrawalAddress, WithdrawalAddressBook } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { Principal } from '../../platform/principal.ts';
import { recordAudit } from '../audit/index.ts';
import { describeDevice, findUserById, insertSecurityEvent, type RequestContext } from '../auth/index.ts';
import { checkAddress } from '../withdrawals/index.ts';
import * as repo from './security.repo.ts';
import type { WithdrawalAddressRow } from './security.schema.ts';
import { addressAddedEmail, addressBookOnlyEmail, addressConfirmedEmail, addressRemovedEmail, type Origin } from './security.emails.ts';

/** The emailed confirmation link of a new entry works once, for this long. */
export const ADDRESS_CONFIRM_TTL_SECONDS = 48 * 3600;
/** Entries per user. */
export const MAX_ADDRESSES = 50;

export function addressView(r: WithdrawalAddressRow, now = Date.now()): WithdrawalAddress {
  const usable = r.confirmedAt !== null && now >= r.usableAt.getTime();
  return {
    id: r.id,
    asset: r.asset,
    network: r.network,
    address: r.address,
    label: r.label,
    status: r.confirmedAt === null ? 'pending_confirmation' : usable ? 'active' : 'cooling_off',
    usable,
    createdAt: r.createdAt.toISOString(),
    confirmedAt: r.confirmedAt?.toISOString() ?? null,
    usableAt: r.usableAt.toISOString(),
  };
}

/** In force now: on, and no requested switch-off whose time has come. */
export function bookOnlyState(s: repo.SecuritySettings, now = Date.now()): AddressBookOnlyState {
  const offAt = s.addressBookOnlyOffAt;
  const enabled = s.addressBookOnly && (offAt === null || now < offAt.getTime());
  return { enabled, requested: s.addressBookOnly && offAt === null, offAt: enabled && offAt ? offAt.toISOString() : null };
}

export const origin = (ctx: RequestContext): Origin => ({ device: describeDevice(ctx.userAgent), ip: ctx.ip, at: new Date() });

async function ownerEmail(platform: Pick<Platform, 'database'>, userId: string): Promise<string> {
  const u = await findUserById(platform.database.db, userId);
  if (!u) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return u.email;
}

export async function getAddressBook(platform: Pick<Platform, 'config' | 'database'>, userId: string): Promise<WithdrawalAddressBook> {
  const db = platform.database.db;
  const [rows, settings] = await Promise.all([repo.listAddresses(db, userId), repo.getSettings(db, userId)]);
  const now = Date.now();
  return {
    items: rows.map((r) => addressView(r, now)),
    addressBookOnly: bookOnlyState(settings, now),
    coolingOffHours: platform.config.withdrawals.addressCoolingOffSeconds / 3600,
  };
}

const invalid = (field: string, message: string) => new AppError('VALIDATION_ERROR', message, [{ path: ['body', field], message }]);

/**
 * Adds an entry (the route asked for a step-up). It is not usable until the emailed link is confirmed AND the
 * cooling-off period has passed; the owner is emailed (with a freeze link) and the change is audited.
 */
export async function addAddress(platform: Platform, p: Principal, input: CreateWithdrawalAddressRequest, ctx: RequestContext): Promise<WithdrawalAddress> {
  const check = checkAddress(input.asset, input.address, input.network);
  if (!check.ok) throw invalid(check.reason.includes('address') ? 'address' : check.reason.includes('withdrawn on') ? 'network' : 'asset', check.reason);
  const cooling = platform.config.withdrawals.addressCoolingOffSeconds;
  const { row, token } = await platform.database.db.transaction(async (tx) => {
    await repo.lockUserSettings(tx, p.userId);
    if ((await repo.countAddresses(tx, p.userId)) >= MAX_ADDRESSES) {
      throw new AppError('LIMIT_EXCEEDED', `The address book holds at most ${MAX_ADDRESSES} addresses; remove one first`);
    }
    const row = await repo.insertAddress(tx, {
      userId: p.userId,
      asset: input.asset,
      network: check.network,
      address: input.address,
      label: input.label,
      coolingOffSeconds: cooling,
    });
    if (!row) throw new AppError('CONFLICT', 'This address is already in your address book for this asset and network');
    const token = await repo.issueToken(tx, { userId: p.userId, purpose: 'address_confirm', ttlSeconds: ADDRESS_CONFIRM_TTL_SECONDS, refId: row.id });
    const facts = { asset: row.asset, network: row.network, address: row.address };
    await audit(
      tx,
      p.userId,
      'security.address_book.add',
      ctx,
      { addressId: row.id, ...facts, label: row.label, usableAt: row.usableAt.toISOString() },
      { kind: 'address_added', details: { name: row.label, ...facts } },
    );
    return { row, token };
  });
  const link = `${platform.config.appUrl}/withdrawal-address/confirm?token=${encodeURIComponent(token)}`;
  const mail = addressAddedEmail(await ownerEmail(platform, p.userId), row, link, row.usableAt, ADDRESS_CONFIRM_TTL_SECONDS / 3600, origin(ctx));
  sendInBackground(platform.mailer, platform.log, mail, 'address-book-added');
  return addressView(row);
}

/** The emailed link: no session needed (the token proves the mailbox). A frozen account confirms nothing. */
export async function confirmAddress(platform: Pick<Platform, 'database' | 'log' | 'mailer'>, token: string, ctx: RequestContext): Promise<WithdrawalAddress> {
  const bad = () => invalid('token', 'This confirmation link is invalid, expired or already used');
  const { row, email } = await platform.database.db.transaction(async (tx) => {
    const t = await repo.consumeToken(tx, token, 'address_confirm');
    if (!t?.refId) throw bad();
    const user = await findUserById(tx, t.userId);
    if (!user) throw bad();
    if (user.frozenAt) throw new AppError('ACCOUNT_FROZEN', 'This account is frozen; unfreeze it before confirming addresses');
    const row = await repo.confirmAddress(tx, t.userId, t.refId);
    if (!row) throw invalid('token', 'This address was removed from the address book');
    await audit(
      tx,
      t.userId,
      'security.address_book.confirm',
      ctx,
      { addressId: row.id, ip: ctx.ip },
      { kind: 'address_confirmed', details: { name: row.label, asset: row.asset, address: row.address } },
    );
    return { row, email: user.email };
  });
  sendInBackground(platform.mailer, platform.log, addressConfirmedEmail(email, row, row.usableAt), 'address-book-confirmed');
  return addressView(row);
}

export async function removeAddress(platform: Platform, p: Principal, id: string, ctx: RequestContext): Promise<void> {
  const row = await platform.database.db.transaction(async (tx) => {
    const row = await repo.deleteAddress(tx, p.userId, id);
    if (!row) throw notFound('Address book entry');
    await audit(
      tx,
      p.userId,
      'security.address_book.remove',
      ctx,
      { addressId: row.id, asset: row.asset, network: row.network, address: row.address, label: row.label },
      { kind: 'address_removed', details: { name: row.label, asset: row.asset, address: row.address } },
    );
    return row;
  });
  sendInBackground(platform.mailer, platform.log, addressRemovedEmail(await ownerEmail(platform, p.userId), row, origin(ctx)), 'address-book-removed');
}

/**
 * On: at once. Off: takes effect after the cooling-off period (until then withdrawals still go only to the book),
 * so a stolen session cannot switch it off and withdraw at once. Turning it on again cancels a pending switch-off.
 */
export async function setAddressBookOnly(platform: Platform, p: Principal, enabled: boolean, ctx: RequestContext): Promise<AddressBookOnlyState> {
  const cooling = platform.config.withdrawals.addressCoolingOffSeconds;
  const result = await platform.database.db.transaction(async (tx) => {
    await repo.lockUserSettings(tx, p.userId);
    const current = bookOnlyState(await repo.getSettings(tx, p.userId));
    if (enabled) {
      if (current.requested) return { state: current, offAt: null, changed: false };
      await repo.updateSettings(tx, p.userId, { addressBookOnly: true, addressBookOnlyOffAt: null });
      await audit(tx, p.userId, 'security.address_book_only.on', ctx, {}, { kind: 'address_book_only_on' });
      return { state: { enabled: true, requested: true, offAt: null }, offAt: null, changed: true };
    }
    if (!current.requested) return { state: current, offAt: null, changed: false };
    const offAt = new Date(Date.now() + cooling * 1000);
    await repo.updateSettings(tx, p.userId, { addressBookOnly: true, addressBookOnlyOffAt: offAt });
    await audit(
      tx,
      p.userId,
      'security.address_book_only.off_requested',
      ctx,
      { offAt: offAt.toISOString() },
      { kind: 'address_book_only_off_requested', details: { offAt: offAt.toISOString() } },
    );
    return { state: { enabled: true, requested: false, offAt: offAt.toISOString() }, offAt, changed: true };
  });
  if (result.changed) {
    sendInBackground(platform.mailer, platform.log, addressBookOnlyEmail(await ownerEmail(platform, p.userId), result.offAt, origin(ctx)), 'address-book-only');
  }
  return result.state;
}

/**
 * Where a withdrawal may go. `addressId` names a book entry (404 for another user's; refused until usable); a
 * free-form address is refused with 403 ADDRESS_BOOK_ONLY while that mode is in force, unless it is a usable entry.
 */
export async function resolveDestination(
  ex: Executor,
  userId: string,
  asset: string,
  input: { address?: string | undefined; network?: string | undefined; addressId?: string | undefined },
): Promise<{ address: string; network: string; addressId: string | null }> {
  if (input.addressId) {
    const row = await repo.findAddress(ex, userId, input.addressId);
    if (!row) throw notFound('Address book entry');
    if (row.asset !== asset) throw invalid('addressId', `This address book entry is for ${row.asset}, not ${asset}`);
    if (input.network && input.network !== row.network) throw invalid('network', `This address book entry is on ${row.network}`);
    notUsableYet(row);
    return { address: row.address, network: row.network, addressId: row.id };
  }
  const check = checkAddress(asset, input.address ?? '', input.network);
  if (!check.ok) throw invalid(check.reason.includes('address') ? 'address' : 'network', check.reason);
  const address = input.address ?? '';
  if (bookOnlyState(await repo.getSettings(ex, userId)).enabled) {
    const row = await repo.findAddressByValue(ex, userId, asset, check.network, address);
    if (!row) {
      throw new AppError(
        'ADDRESS_BOOK_ONLY',
        'This account sends withdrawals only to addresses of its address book; add this one and wait until it is confirmed and usable',
      );
    }
    notUsableYet(row);
    return { address, network: check.network, addressId: row.id };
  }
  return { address, network: check.network, addressId: null };
}

function notUsableYet(row: WithdrawalAddressRow): void {
  const v = addressView(row);
  if (v.usable) return;
  const why = v.status === 'pending_confirmation' ? 'is not confirmed yet (open the link we emailed you)' : `is in its waiting period until ${v.usableAt}`;
  throw new AppError('INVALID_STATE', `This address book entry ${why}`, { addressId: v.id, status: v.status, usableAt: v.usableAt });
}

/**
 * The owner's own change: the audit log (owner as actor and target) and the owner's security events (the Security
 * page's "Recent security events"), in the caller's transaction. `event.details.name` is what the page shows.
 */
export async function audit(
  ex: Executor,
  userId: string,
  action: string,
  ctx: Pick<RequestContext, 'requestId'> & Partial<RequestContext>,
  details: Record<string, unknown>,
  event?: { kind: string; details?: Record<string, unknown> },
): Promise<void> {
  await recordAudit(ex, { actorId: userId, action, targetType: 'user', targetId: userId, requestId: ctx.requestId, details });
  if (event) await securityEvent(ex, userId, event.kind, ctx, event.details);
}

/** One row of the owner's security events. */
export function securityEvent(ex: Executor, userId: string, kind: string, ctx: Partial<RequestContext>, details: Record<string, unknown> = {}) {
  return insertSecurityEvent(ex, { userId, kind, ip: ctx.ip ?? null, userAgent: ctx.userAgent ?? null, details });
}
