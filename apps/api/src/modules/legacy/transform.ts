/**
 * The shared transform: original (Blackhatdawn/coinbase-love, FastAPI + MongoDB) documents → what CryptoVault
 * stores. Pure: no database, no I/O. docs/legacy-import.md lists every source field and where it lands.
 */
import { findAsset, QUOTE_ASSET, USD_PRECISION } from '../../platform/assets.ts';
import { normalizeEmail, tagLegacyHash } from '../auth/index.ts';
import { D, type Dec, ZERO } from '../ledger/index.ts';
import type { LegacyDoc } from './source.ts';

export type AnomalyReason =
  | 'invalid_email'
  | 'duplicate_email'
  | 'email_taken'
  | 'negative_balance'
  | 'nan_balance'
  | 'infinite_balance'
  | 'not_a_number'
  | 'unknown_asset'
  | 'multiple_wallets'
  | 'orphan_wallet'
  | 'missing_id';

/** Something that must not be imported silently: with --on-anomaly stop the run stops, with review it is held. */
export interface Anomaly {
  collection: string;
  sourceId: string;
  reason: AnomalyReason;
  detail: string;
}

/** Imported, but the operator should know (2FA to set up again, password to reset, admin flag not carried). */
export interface Notice {
  collection: string;
  sourceId: string;
  kind:
    | 'twofa_reset'
    | 'password_reset_required'
    | 'admin_not_carried'
    | 'backup_codes_dropped'
    | 'history_not_carried'
    | 'history_amount_unknown'
    | 'alert_not_carried'
    | 'alert_paused'
    | 'order_not_carried';
  detail: string;
}

export interface Rounding {
  sourceId: string;
  asset: string;
  /** The shortest round-trip text of the source double, as a plain decimal. */
  source: string;
  imported: string;
  /** imported − source. */
  delta: string;
}

export interface BalancePlan {
  asset: string;
  source: string;
  amount: string;
}

export interface UserPlan {
  sourceId: string;
  email: string;
  name: string;
  /** The tagged legacy hash (auth/password.ts), or an unusable marker: the user then resets the password. */
  passwordHash: string;
  createdAt: Date;
  verified: boolean;
  suspended: boolean;
  /** Base32 TOTP secret and the original's plain backup codes, when 2FA was on with a usable secret. */
  twoFactor: { secret: string; backupCodes: string[] } | null;
  /** 2FA was on but its secret cannot be carried: the user is asked to set it up again. */
  twoFactorReset: boolean;
  /** Non-zero balances after rounding, per asset. */
  balances: BalancePlan[];
  roundings: Rounding[];
  /** Wallet documents (source ids) whose balances these are. */
  walletIds: string[];
}

export interface AssetTotals {
  /** Sum of the exact source values of the balances imported (users not held back). */
  source: string;
  /** Sum of what is posted: each balance rounded to the asset's scale. */
  imported: string;
  /** imported − source: the sum of this asset's listed roundings. */
  rounding: string;
  accounts: number;
}

export interface UsersPlan {
  users: UserPlan[];
  anomalies: Anomaly[];
  notices: Notice[];
  totals: Record<string, AssetTotals>;
  counts: { users: number; wallets: number };
}

/** Marker for an account whose original hash we cannot verify: never matches (not argon2, not a legacy tag). */
export const UNUSABLE_PASSWORD = 'legacy-unusable:';

/** Decimal places an asset's balances are kept to: USD to the cent, listed assets to their amount precision. */
export function assetScale(asset: string): number | null {
  if (asset === QUOTE_ASSET) return USD_PRECISION;
  const a = findAsset(asset);
  return a && a.symbol === asset ? a.amountPrecision : null;
}

/** A source id: the original's `id` (a UUID string) when present, else the Mongo `_id`. */
export function sourceId(doc: LegacyDoc): string | null {
  const id = doc.id;
  if (typeof id === 'string' && id.trim()) return id.trim();
  const oid = doc._id;
  if (oid !== undefined && oid !== null) return String(oid);
  return null;
}

type Exact = { ok: true; value: Dec } | { ok: false; reason: 'nan_balance' | 'infinite_balance' | 'not_a_number'; text: string };

/**
 * An exact decimal from a stored number. A double becomes the decimal of its shortest round-trip text (what
 * JavaScript's String(n) gives, e.g. 0.1 + 0.2 → "0.30000000000000004", 1e-7 → "1e-7"), never its full binary
 * expansion; BSON Int32/Int64/Decimal128 are exact already.
 */
export function exactDecimal(v: unknown): Exact {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { ok: false, reason: 'nan_balance', text: 'NaN' };
    if (!Number.isFinite(v)) return { ok: false, reason: 'infinite_balance', text: String(v) };
    return { ok: true, value: new D(String(v)) };
  }
  if (typeof v === 'bigint') return { ok: true, value: new D(v.toString()) };
  if (v && typeof v === 'object' && '_bsontype' in v) {
    const text = String(v);
    if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return { ok: true, value: new D(text) };
    if (/nan/i.test(text)) return { ok: false, reason: 'nan_balance', text };
    if (/inf/i.test(text)) return { ok: false, reason: 'infinite_balance', text };
  }
  return { ok: false, reason: 'not_a_number', text: describe(v) };
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 80) ?? String(v);
  } catch {
    return String(v);
  }
}

export function toDate(v: unknown): Date | null {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(typeof v === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? `${v}Z` : v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return null;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BASE32_RE = /^[A-Z2-7]{16,}=*$/;

function isSuspended(u: LegacyDoc): boolean {
  const status = typeof u.status === 'string' ? u.status.toLowerCase() : '';
  return u.is_suspended === true || u.suspended === true || status === 'suspended' || status === 'banned' || u.is_active === false;
}

/**
 * Users and their wallets. A user with any anomaly (bad email, duplicate email in any letter case, a negative,
 * NaN, infinite or non-numeric balance, an asset CryptoVault does not list, two wallets) is held back whole: none
 * of their data is imported until the source is corrected (docs/legacy-import.md, "Anomalies").
 */
export function planUsers(userDocs: LegacyDoc[], walletDocs: LegacyDoc[]): UsersPlan {
  const anomalies: Anomaly[] = [];
  const notices: Notice[] = [];
  const held = new Set<string>();
  const hold = (a: Anomaly, userId?: string) => {
    anomalies.push(a);
    if (userId) held.add(userId);
  };

  const byId = new Map<string, LegacyDoc>();
  const byEmail = new Map<string, string[]>();
  for (const u of userDocs) {
    const id = sourceId(u);
    if (!id) {
      hold({ collection: 'users', sourceId: '(none)', reason: 'missing_id', detail: 'user document without id or _id' });
      continue;
    }
    if (byId.has(id)) {
      hold({ collection: 'users', sourceId: id, reason: 'missing_id', detail: 'two user documents share this id' }, id);
      continue;
    }
    byId.set(id, u);
    const email = typeof u.email === 'string' ? normalizeEmail(u.email) : '';
    if (!EMAIL_RE.test(email) || email.length > 254) {
      hold({ collection: 'users', sourceId: id, reason: 'invalid_email', detail: `email ${describe(u.email)} is not an address` }, id);
      continue;
    }
    byEmail.set(email, [...(byEmail.get(email) ?? []), id]);
  }
  for (const [email, ids] of byEmail) {
    if (ids.length < 2) continue;
    const spellings = ids.map((id) => String(byId.get(id)?.email)).join(', ');
    for (const id of ids) {
      hold({ collection: 'users', sourceId: id, reason: 'duplicate_email', detail: `${ids.length} accounts share ${email} (as ${spellings})` }, id);
    }
  }

  // Wallets by user.
  const walletsOf = new Map<string, LegacyDoc[]>();
  for (const w of walletDocs) {
    const wid = sourceId(w) ?? '(none)';
    const owner = typeof w.user_id === 'string' ? w.user_id : null;
    if (!owner || !byId.has(owner)) {
      const total = Object.entries(isRecord(w.balances) ? w.balances : {})
        .map(([a, v]) => `${a} ${describe(v)}`)
        .join(', ');
      hold({
        collection: 'wallets',
        sourceId: wid,
        reason: 'orphan_wallet',
        detail: `wallet of unknown user ${describe(w.user_id)}${total ? ` holding ${total}` : ''}`,
      });
      continue;
    }
    walletsOf.set(owner, [...(walletsOf.get(owner) ?? []), w]);
  }

  const users: UserPlan[] = [];
  for (const [id, u] of byId) {
    const wallets = walletsOf.get(id) ?? [];
    if (wallets.length > 1) {
      hold({ collection: 'wallets', sourceId: id, reason: 'multiple_wallets', detail: `${wallets.length} wallet documents for this user` }, id);
    }
    const balances: BalancePlan[] = [];
    const roundings: Rounding[] = [];
    const wallet = wallets[0];
    const raw = wallet && isRecord(wallet.balances) ? wallet.balances : {};
    for (const [rawAsset, value] of Object.entries(raw)) {
      const asset = rawAsset.trim().toUpperCase();
      const exact = exactDecimal(value);
      if (!exact.ok) {
        hold({ collection: 'wallets', sourceId: id, reason: exact.reason, detail: `${asset} balance is ${exact.text}` }, id);
        continue;
      }
      if (exact.value.isZero()) continue;
      if (exact.value.isNeg()) {
        hold({ collection: 'wallets', sourceId: id, reason: 'negative_balance', detail: `${asset} balance is ${exact.value.toFixed()}` }, id);
        continue;
      }
      const scale = assetScale(asset);
      if (scale === null) {
        hold(
          {
            collection: 'wallets',
            sourceId: id,
            reason: 'unknown_asset',
            detail: `${asset} balance ${exact.value.toFixed()}: CryptoVault does not list ${asset}`,
          },
          id,
        );
        continue;
      }
      const rounded = exact.value.toDecimalPlaces(scale, D.ROUND_HALF_UP);
      const delta = rounded.minus(exact.value);
      if (!delta.isZero()) roundings.push({ sourceId: id, asset, source: exact.value.toFixed(), imported: rounded.toFixed(), delta: delta.toFixed() });
      if (!rounded.isZero()) balances.push({ asset, source: exact.value.toFixed(), amount: rounded.toFixed() });
    }
    if (held.has(id)) continue;

    const email = normalizeEmail(String(u.email));
    const tagged = typeof u.password_hash === 'string' ? tagLegacyHash(u.password_hash) : null;
    if (!tagged)
      notices.push({
        collection: 'users',
        sourceId: id,
        kind: 'password_reset_required',
        detail: 'no bcrypt or SHA-256 password hash: the user must reset the password',
      });
    if (u.is_admin === true)
      notices.push({
        collection: 'users',
        sourceId: id,
        kind: 'admin_not_carried',
        detail: 'administrator in the original: use npm run admin:create to promote',
      });
    let twoFactor: UserPlan['twoFactor'] = null;
    let twoFactorReset = false;
    if (u.two_factor_enabled === true) {
      const secret = typeof u.two_factor_secret === 'string' ? u.two_factor_secret.replace(/\s+/g, '').toUpperCase() : '';
      if (BASE32_RE.test(secret)) {
        const codes = Array.isArray(u.backup_codes) ? u.backup_codes.filter((c): c is string => typeof c === 'string' && /^[A-Za-z0-9-]{6,16}$/.test(c)) : [];
        if (Array.isArray(u.backup_codes) && codes.length !== u.backup_codes.length) {
          notices.push({
            collection: 'users',
            sourceId: id,
            kind: 'backup_codes_dropped',
            detail: 'backup codes not in the plain form the original issued were not carried',
          });
        }
        twoFactor = { secret: secret.replace(/=+$/, ''), backupCodes: codes };
      } else {
        twoFactorReset = true;
        notices.push({
          collection: 'users',
          sourceId: id,
          kind: 'twofa_reset',
          detail: '2FA was on but its secret is missing or not base32: the user is asked to set up 2FA again',
        });
      }
    }
    const rawName = typeof u.name === 'string' ? u.name.trim() : '';
    users.push({
      sourceId: id,
      email,
      name: (rawName || email.split('@')[0] || email).slice(0, 100),
      passwordHash: tagged ?? UNUSABLE_PASSWORD,
      createdAt: toDate(u.created_at) ?? new Date(),
      verified: u.email_verified === true,
      suspended: isSuspended(u),
      twoFactor,
      twoFactorReset,
      balances,
      roundings,
      walletIds: wallet ? [sourceId(wallet) ?? id] : [],
    });
  }

  const totals = totalsFor(users);
  return { users, anomalies, notices, totals, counts: { users: userDocs.length, wallets: walletDocs.length } };
}

/**
 * Per asset: the exact source values of the users' balances (a balance that rounds to zero posts nothing but its
 * source value still counts), what is posted after rounding, and the difference (the sum of the listed roundings).
 */
export function totalsFor(users: UserPlan[]): Record<string, AssetTotals> {
  const out = new Map<string, { source: Dec; imported: Dec; accounts: number }>();
  const get = (asset: string) => {
    let t = out.get(asset);
    if (!t) {
      t = { source: ZERO, imported: ZERO, accounts: 0 };
      out.set(asset, t);
    }
    return t;
  };
  for (const u of users) {
    for (const b of u.balances) {
      const t = get(b.asset);
      t.source = t.source.plus(b.source);
      t.imported = t.imported.plus(b.amount);
      t.accounts++;
    }
    for (const r of u.roundings) {
      if (new D(r.imported).isZero()) get(r.asset).source = get(r.asset).source.plus(r.source);
    }
  }
  return Object.fromEntries(
    [...out]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([a, t]) => [
        a,
        { source: t.source.toFixed(), imported: t.imported.toFixed(), rounding: t.imported.minus(t.source).toFixed(), accounts: t.accounts },
      ]),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The collections whose documents become read-only rows of `legacy_history`. */
export type HistoryCollection = 'transactions' | 'deposits' | 'withdrawals' | 'transfers';

/** One read-only history row: a `transactions` document, or a deposit, withdrawal or transfer no transaction records. */
export interface HistoryPlan {
  collection: HistoryCollection;
  sourceId: string;
  type: 'deposit' | 'withdrawal' | 'trade' | 'fee' | 'transfer_in' | 'transfer_out' | 'adjustment';
  asset: string;
  /** Exact decimal of the stored value (signed as stored), or null when it was not a finite number. */
  amount: string | null;
  reference: string | null;
  description: string;
  occurredAt: Date;
}

const HISTORY_TYPES = new Set(['deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out']);
/** routers/transfers.py (the later P2P router) writes these types; they are the same movements as ours. */
const TYPE_ALIASES: Record<string, HistoryPlan['type']> = { p2p_send: 'transfer_out', p2p_receive: 'transfer_in', gas_fee: 'fee' };

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** The reference a `transactions` document carries: `reference`, else (routers/transfers.py) `metadata.transfer_id`. */
function txReference(d: LegacyDoc): string | null {
  return str(d.reference) ?? (isRecord(d.metadata) ? str(d.metadata.transfer_id) : null);
}

const byDate = (a: { occurredAt: Date; sourceId: string }, b: { occurredAt: Date; sourceId: string }) =>
  a.occurredAt.getTime() - b.occurredAt.getTime() || a.sourceId.localeCompare(b.sourceId);

/**
 * The original's `transactions` collection (its money log: deposits credited, withdrawals and their fees, trades
 * and their fees, P2P transfers in and out, refunds), grouped by the user's source id, oldest first.
 */
export function planHistory(docs: LegacyDoc[]): { byUser: Map<string, HistoryPlan[]>; notices: Notice[]; seen: number } {
  const byUser = new Map<string, HistoryPlan[]>();
  const notices: Notice[] = [];
  for (const d of docs) {
    const id = sourceId(d) ?? '(none)';
    const owner = typeof d.user_id === 'string' ? d.user_id : null;
    if (!owner) {
      notices.push({ collection: 'transactions', sourceId: id, kind: 'history_not_carried', detail: 'transaction without user_id' });
      continue;
    }
    const rawType = typeof d.type === 'string' ? d.type.toLowerCase() : 'unknown';
    const type = (HISTORY_TYPES.has(rawType) ? rawType : (TYPE_ALIASES[rawType] ?? 'adjustment')) as HistoryPlan['type'];
    const symbol = typeof d.currency === 'string' ? d.currency : typeof d.symbol === 'string' ? d.symbol : 'USD';
    const asset = (symbol.split('/')[0] ?? symbol).trim().toUpperCase() || 'USD';
    const exact = exactDecimal(d.amount);
    const status = typeof d.status === 'string' ? d.status : 'completed';
    const note = isRecord(d.metadata) ? str(d.metadata.note) : null;
    const parts = [
      type === rawType ? '' : `${rawType}:`,
      typeof d.description === 'string' ? d.description : '',
      note ? `note: ${note}` : '',
      status === 'completed' ? '' : `(${status})`,
    ];
    if (!exact.ok) {
      parts.push(`(amount in the original: ${exact.text})`);
      notices.push({ collection: 'transactions', sourceId: id, kind: 'history_amount_unknown', detail: `amount ${exact.text}: imported without an amount` });
    }
    const plan: HistoryPlan = {
      collection: 'transactions',
      sourceId: id,
      type,
      asset,
      amount: exact.ok ? exact.value.toFixed() : null,
      reference: txReference(d),
      description: parts.filter(Boolean).join(' ').slice(0, 500),
      occurredAt: toDate(d.created_at) ?? new Date(0),
    };
    byUser.set(owner, [...(byUser.get(owner) ?? []), plan]);
  }
  for (const list of byUser.values()) list.sort(byDate);
  return { byUser, notices, seen: docs.length };
}

/** NOWPayments statuses after which routers/wallet.py's webhook credited a deposit (PaymentStatus.SUCCESS_STATUSES). */
const DEPOSIT_CREDITED = new Set(['finished', 'confirmed']);
/** Withdrawal statuses after which the original had given the funds back (admin reject writes `cancelled`). */
const WITHDRAWAL_UNDONE = new Set(['cancelled', 'canceled', 'rejected', 'failed']);

export interface MovementsPlan {
  /** Rows to add to the users' history: documents no `transactions` row records. */
  byUser: Map<string, HistoryPlan[]>;
  notices: Notice[];
  seen: { deposits: number; withdrawals: number; transfers: number };
  /** Documents (per collection) already recorded by a `transactions` row of the same user and reference. */
  linked: { deposits: number; withdrawals: number; transfers: number };
}

/**
 * The original's `deposits`, `withdrawals` and `transfers` documents (routers/wallet.py, admin.py). The
 * `transactions` collection is the authoritative money log: every credited deposit (reference = the deposit's
 * `order_id`), every withdrawal and its fee (reference = the withdrawal's `id`) and each side of a transfer
 * (reference = the transfer's `id`) has its row there, with the amount that moved. A document of these collections
 * with such a row is the same movement again: it is linked (counted, and a withdrawal's later status and chain hash
 * are added to its row's description) and not imported a second time. A document with no such row (a deposit never
 * paid, expired or failed, which the original never credited; anything the original failed to log) becomes a row
 * of its own, once per user it concerns. Those rows move no money here either: amounts of movements the original
 * did not make (an uncredited deposit, a refunded withdrawal) are 0, with the original's amount in the description.
 */
export function planMovements(
  txDocs: LegacyDoc[],
  docs: { deposits: LegacyDoc[]; withdrawals: LegacyDoc[]; transfers: LegacyDoc[] },
): MovementsPlan & { enrich: Map<string, string> } {
  // (user, reference) pairs the transactions log has, and the withdrawal rows' ids by reference.
  const logged = new Set<string>();
  const withdrawalRows = new Map<string, string[]>();
  for (const d of txDocs) {
    const owner = typeof d.user_id === 'string' ? d.user_id : null;
    const ref = txReference(d);
    if (!owner || !ref) continue;
    logged.add(`${owner}\u0000${ref}`);
    if (d.type === 'withdrawal') withdrawalRows.set(ref, [...(withdrawalRows.get(ref) ?? []), sourceId(d) ?? '']);
  }
  const byUser = new Map<string, HistoryPlan[]>();
  const notices: Notice[] = [];
  const linked = { deposits: 0, withdrawals: 0, transfers: 0 };
  /** transactions source id → text to add to its description (a withdrawal's status and hash). */
  const enrich = new Map<string, string>();
  const add = (owner: string, p: HistoryPlan) => byUser.set(owner, [...(byUser.get(owner) ?? []), p]);
  const amountOf = (collection: HistoryCollection, id: string, v: unknown): InstanceType<typeof D> | null => {
    const e = exactDecimal(v);
    if (e.ok) return e.value.abs();
    notices.push({ collection, sourceId: id, kind: 'history_amount_unknown', detail: `amount ${e.text}: imported without an amount` });
    return null;
  };
  const text = (v: InstanceType<typeof D> | null) => (v ? v.toFixed() : '?');

  for (const d of docs.deposits) {
    const id = sourceId(d) ?? '(none)';
    const owner = str(d.user_id);
    if (!owner) {
      notices.push({ collection: 'deposits', sourceId: id, kind: 'history_not_carried', detail: 'deposit without user_id' });
      continue;
    }
    const ref = str(d.order_id) ?? id;
    if (logged.has(`${owner}\u0000${ref}`)) {
      linked.deposits++;
      continue;
    }
    const status = (str(d.status) ?? 'pending').toLowerCase();
    const amount = amountOf('deposits', id, d.amount);
    const currency = (str(d.currency) ?? 'USD').toUpperCase();
    const via = str(d.pay_currency);
    const credited = DEPOSIT_CREDITED.has(status);
    add(owner, {
      collection: 'deposits',
      sourceId: id,
      type: 'deposit',
      asset: currency,
      amount: credited ? (amount?.toFixed() ?? null) : '0',
      reference: ref,
      description: (credited
        ? `Deposit${via ? ` via ${via.toUpperCase()}` : ''} (${status}; no transaction in the original's log)`
        : `Deposit of ${text(amount)} ${currency}${via ? ` via ${via.toUpperCase()}` : ''} (${status}): never credited`
      ).slice(0, 500),
      occurredAt: toDate(d.created_at) ?? new Date(0),
    });
  }

  for (const d of docs.withdrawals) {
    const id = sourceId(d) ?? '(none)';
    const owner = str(d.user_id);
    if (!owner) {
      notices.push({ collection: 'withdrawals', sourceId: id, kind: 'history_not_carried', detail: 'withdrawal without user_id' });
      continue;
    }
    const status = (str(d.status) ?? 'pending').toLowerCase();
    const hash = str(d.transaction_hash);
    const rowIds = withdrawalRows.get(id);
    if (logged.has(`${owner}\u0000${id}`)) {
      linked.withdrawals++;
      // admin.py's approve sets `processing` on the withdrawal only; its row keeps `pending`. Say where it ended.
      for (const r of rowIds ?? []) enrich.set(r, [`withdrawal ${status}`, hash ? `tx ${hash}` : ''].filter(Boolean).join(', '));
      continue;
    }
    const amount = amountOf('withdrawals', id, d.amount);
    const fee = exactDecimal(d.fee);
    const currency = (str(d.currency) ?? 'USD').toUpperCase();
    const undone = WITHDRAWAL_UNDONE.has(status);
    const address = str(d.address);
    add(owner, {
      collection: 'withdrawals',
      sourceId: id,
      type: 'withdrawal',
      asset: currency,
      amount: undone ? '0' : amount ? amount.neg().toFixed() : null,
      reference: id,
      description: [
        `Withdrawal${undone ? ` of ${text(amount)} ${currency}` : ''}${address ? ` to ${address.slice(0, 12)}...` : ''}`,
        fee.ok && !fee.value.isZero() ? `fee ${fee.value.abs().toFixed()} ${currency}` : '',
        `(${status}${undone ? ': refunded' : ''}; no transaction in the original's log)`,
        hash ? `tx ${hash}` : '',
      ]
        .filter(Boolean)
        .join(' ')
        .slice(0, 500),
      occurredAt: toDate(d.created_at) ?? new Date(0),
    });
  }

  for (const d of docs.transfers) {
    const id = sourceId(d) ?? '(none)';
    const amount = amountOf('transfers', id, d.amount);
    const currency = (str(d.currency) ?? 'USD').toUpperCase();
    const status = (str(d.status) ?? 'completed').toLowerCase();
    const note = str(d.note);
    let covered = true;
    const sides: [string | null, 'transfer_out' | 'transfer_in', string][] = [
      [str(d.sender_id), 'transfer_out', `Transfer to ${str(d.recipient_name) ?? ''} (${str(d.recipient_email) ?? '?'})`],
      [str(d.recipient_id), 'transfer_in', `Transfer from ${str(d.sender_name) ?? ''} (${str(d.sender_email) ?? '?'})`],
    ];
    for (const [owner, type, what] of sides) {
      if (!owner) {
        notices.push({
          collection: 'transfers',
          sourceId: id,
          kind: 'history_not_carried',
          detail: `transfer without ${type === 'transfer_out' ? 'sender_id' : 'recipient_id'}`,
        });
        continue;
      }
      if (logged.has(`${owner}\u0000${id}`)) continue;
      covered = false;
      const moved = status === 'completed' && amount;
      add(owner, {
        collection: 'transfers',
        sourceId: id,
        type,
        asset: currency,
        amount: moved ? (type === 'transfer_out' ? amount.neg() : amount).toFixed() : status === 'completed' ? null : '0',
        reference: id,
        description: [
          what.replace('  ', ' '),
          note ? `note: ${note}` : '',
          status === 'completed' ? '' : `(${status}) of ${text(amount)} ${currency}`,
          "(no transaction in the original's log)",
        ]
          .filter(Boolean)
          .join(' ')
          .slice(0, 500),
        occurredAt: toDate(d.created_at) ?? new Date(0),
      });
    }
    if (covered) linked.transfers++;
  }
  for (const list of byUser.values()) list.sort(byDate);
  return {
    byUser,
    notices,
    enrich,
    linked,
    seen: { deposits: docs.deposits.length, withdrawals: docs.withdrawals.length, transfers: docs.transfers.length },
  };
}

/** A document of the original's `orders` collection, as a read-only order in the user's order history. */
export interface OrderPlan {
  sourceId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop_loss' | 'take_profit';
  originalType: string;
  status: 'closed' | 'canceled' | 'rejected' | 'expired';
  originalStatus: string;
  timeInForce: 'GTC' | 'IOC' | 'FOK';
  price: string | null;
  triggerPrice: string | null;
  amount: string;
  filled: string;
  cost: string;
  average: string | null;
  feeCost: string;
  feeCurrency: string;
  createdAt: Date;
  updatedAt: Date;
}

const ORDER_TYPES: Record<string, OrderPlan['type']> = {
  market: 'market',
  limit: 'limit',
  stop_loss: 'stop_loss',
  take_profit: 'take_profit',
  stop_limit: 'limit',
};
/**
 * The original's order statuses → ours. `pending` (a limit or stop order waiting, which in the original held no
 * funds: routers/trading.py only noted `reserved_amount`) is not recreated as a live order: the cutover stops it,
 * so it is history as `canceled`, its original status kept beside it.
 */
const ORDER_STATUSES: Record<string, OrderPlan['status']> = {
  filled: 'closed',
  closed: 'closed',
  completed: 'closed',
  cancelled: 'canceled',
  canceled: 'canceled',
  pending: 'canceled',
  open: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
  failed: 'rejected',
};
const FILLED = new Set(['filled', 'closed', 'completed']);
const DEC18 = (v: InstanceType<typeof D>) => v.toDecimalPlaces(18, D.ROUND_HALF_UP).toFixed();

/**
 * routers/trading.py: `trading_pair` ("BTC/USD"), `order_type`, `side`, `amount`, `price` (doubles), `stop_price`,
 * `time_in_force`, `status` (pending, filled, cancelled), `created_at`, `filled_at`, `cancelled_at`. The order
 * document has no fee: create_order logged it as a `fee` transaction described "Trading fee for order <first 8
 * characters of the order id>", which is where the fee comes from. A filled order filled its whole amount at its
 * price (the original had no partial fills).
 */
export function planOrders(docs: LegacyDoc[], txDocs: LegacyDoc[]): { byUser: Map<string, OrderPlan[]>; notices: Notice[]; seen: number } {
  const fees = new Map<string, InstanceType<typeof D>>();
  for (const t of txDocs) {
    const m = typeof t.description === 'string' ? /^Trading fee for order ([0-9a-fA-F-]{8})$/.exec(t.description.trim()) : null;
    const owner = str(t.user_id);
    const fee = exactDecimal(t.amount);
    if (m && owner && fee.ok) fees.set(`${owner}\u0000${m[1]!.toLowerCase()}`, fee.value.abs());
  }
  const byUser = new Map<string, OrderPlan[]>();
  const notices: Notice[] = [];
  for (const d of docs) {
    const id = sourceId(d) ?? '(none)';
    const skip = (detail: string) => notices.push({ collection: 'orders', sourceId: id, kind: 'order_not_carried', detail });
    const owner = str(d.user_id);
    if (!owner) {
      skip('order without user_id');
      continue;
    }
    const side = (str(d.side) ?? '').toLowerCase();
    if (side !== 'buy' && side !== 'sell') {
      skip(`side ${describe(d.side)} is neither buy nor sell`);
      continue;
    }
    const amount = exactDecimal(d.amount);
    if (!amount.ok || amount.value.isNeg()) {
      skip(`amount ${amount.ok ? amount.value.toFixed() : amount.text} is not a number of units`);
      continue;
    }
    const pair = (str(d.trading_pair) ?? str(d.symbol) ?? '').toUpperCase().replace('-', '/');
    if (!pair) {
      skip('order without trading_pair');
      continue;
    }
    const [base = pair, quote = 'USD'] = pair.split('/');
    const rawType = (str(d.order_type) ?? str(d.type) ?? 'market').toLowerCase();
    const rawStatus = (str(d.status) ?? 'pending').toLowerCase();
    const price = d.price === null || d.price === undefined ? null : exactDecimal(d.price);
    const priceValue = price?.ok && price.value.gt(0) ? price.value : null;
    const stop = d.stop_price === null || d.stop_price === undefined ? null : exactDecimal(d.stop_price);
    const filled = FILLED.has(rawStatus);
    const type = ORDER_TYPES[rawType] ?? 'market';
    // A fork may keep the fee on the order itself; the logged fee transaction wins.
    const ownFee = exactDecimal(d.fee);
    const fee = fees.get(`${owner}\u0000${id.slice(0, 8).toLowerCase()}`) ?? (ownFee.ok ? ownFee.value.abs() : ZERO);
    const tif = (str(d.time_in_force) ?? 'GTC').toUpperCase();
    const created = toDate(d.created_at) ?? new Date(0);
    const updated = toDate(d.filled_at) ?? toDate(d.cancelled_at) ?? toDate(d.updated_at) ?? created;
    const plan: OrderPlan = {
      sourceId: id,
      symbol: `${base}/${quote}`,
      side,
      type,
      originalType: rawType,
      status: ORDER_STATUSES[rawStatus] ?? 'canceled',
      originalStatus: rawStatus,
      timeInForce: tif === 'IOC' || tif === 'FOK' ? tif : 'GTC',
      price: type === 'limit' && priceValue ? DEC18(priceValue) : null,
      triggerPrice: stop?.ok && stop.value.gt(0) ? DEC18(stop.value) : null,
      amount: DEC18(amount.value),
      filled: filled ? DEC18(amount.value) : '0',
      cost: filled && priceValue ? DEC18(amount.value.times(priceValue)) : '0',
      average: filled && priceValue ? DEC18(priceValue) : null,
      feeCost: DEC18(fee),
      feeCurrency: quote,
      createdAt: created,
      updatedAt: new Date(Math.max(updated.getTime(), created.getTime())),
    };
    byUser.set(owner, [...(byUser.get(owner) ?? []), plan]);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.sourceId.localeCompare(b.sourceId));
  return { byUser, notices, seen: docs.length };
}

/** A document of the original's `price_alerts` collection, as one of the user's price alerts here. */
export interface AlertPlan {
  sourceId: string;
  assetId: string;
  condition: 'above' | 'below';
  targetPrice: string;
  channels: ('in_app' | 'email')[];
  active: boolean;
  triggeredAt: Date | null;
  triggeredPrice: string | null;
  createdAt: Date;
}

/**
 * routers/alerts.py: `symbol`, `target_price` (double), `condition`, `is_active`, `notify_email`/`notify_push`,
 * `triggered_at`/`triggered_price`. An alert that fired is imported inactive with its trigger; one on an asset
 * CryptoVault does not list, or with an unusable price or condition, is listed and left out.
 */
export function planAlerts(docs: LegacyDoc[]): { byUser: Map<string, AlertPlan[]>; notices: Notice[]; seen: number } {
  const byUser = new Map<string, AlertPlan[]>();
  const notices: Notice[] = [];
  for (const d of docs) {
    const id = sourceId(d) ?? '(none)';
    const owner = typeof d.user_id === 'string' ? d.user_id : null;
    const skip = (detail: string) => notices.push({ collection: 'price_alerts', sourceId: id, kind: 'alert_not_carried', detail });
    if (!owner) {
      skip('alert without user_id');
      continue;
    }
    const symbol = typeof d.symbol === 'string' ? d.symbol.trim().toUpperCase() : '';
    const asset = findAsset(symbol);
    if (!asset || asset.symbol !== symbol) {
      skip(`CryptoVault does not list ${symbol || '(no symbol)'}`);
      continue;
    }
    const price = exactDecimal(d.target_price);
    if (!price.ok || price.value.lte(0) || price.value.decimalPlaces() > 18) {
      skip(`target price ${price.ok ? price.value.toFixed() : price.text} is not a positive number`);
      continue;
    }
    if (d.condition !== 'above' && d.condition !== 'below') {
      skip(`condition ${describe(d.condition)} is neither above nor below`);
      continue;
    }
    const triggeredAt = toDate(d.triggered_at);
    const triggeredPrice = exactDecimal(d.triggered_price);
    const plan: AlertPlan = {
      sourceId: id,
      assetId: asset.id,
      condition: d.condition,
      targetPrice: price.value.toFixed(),
      channels: d.notify_email === false ? ['in_app'] : ['in_app', 'email'],
      active: d.is_active !== false && !triggeredAt,
      triggeredAt,
      triggeredPrice: triggeredAt && triggeredPrice.ok ? triggeredPrice.value.toDecimalPlaces(18).toFixed() : null,
      createdAt: toDate(d.created_at) ?? new Date(),
    };
    byUser.set(owner, [...(byUser.get(owner) ?? []), plan]);
  }
  return { byUser, notices, seen: docs.length };
}
