import { TRANSACTION_COLUMNS, type Transaction, type TransactionType } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { cursorCodec, type Paged } from '../../platform/db/paging.ts';
import { D, type Dec } from '../ledger/index.ts';
import { counterparties } from '../transfers/index.ts';
import { type EntryRow, entriesPage, type HistoryFilter, type ImportedRow, importedPage } from './transactions.repo.ts';

/**
 * Where a page stopped: in the journal after the row (entry, asset) — rows of one entry go by asset, descending —
 * or in the imported rows (which come after every journal row) after the given legacy_history id.
 */
type HistoryCursor = { src: 'journal'; entryId: string; asset: string } | { src: 'imported'; id: string };

/** The one cursor codec (platform/db/paging.ts): `<entry id>|<asset>`, or `imported|<legacy id>`. */
const historyCursor = cursorCodec<HistoryCursor>(
  (c) => (c.src === 'journal' ? [c.entryId, c.asset] : ['imported', c.id]),
  ([a, b, ...rest]) => {
    if (rest.length > 0 || !a || !b) return null;
    if (a === 'imported') return /^\d{1,19}$/.test(b) ? { src: 'imported', id: b } : null;
    return /^\d{1,19}$/.test(a) && /^[A-Z0-9]{2,10}$/.test(b) ? { src: 'journal', entryId: a, asset: b } : null;
  },
);

const LABELS: Record<TransactionType, string> = {
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  trade: 'Trade',
  fee: 'Fee',
  transfer_in: 'Received',
  transfer_out: 'Sent',
  adjustment: 'Adjustment',
};

/** Where the web app shows what a reference points at. */
function linkOf(reference: string | null): string | null {
  const m = /^(order|deposit|withdrawal|transfer):([0-9a-f-]{36})$/i.exec(reference ?? '');
  if (!m) return null;
  const [, kind, id] = m;
  switch (kind) {
    case 'order':
      return `/orders/${id}`;
    case 'deposit':
      return `/deposits/${id}`;
    case 'withdrawal':
      return `/withdrawals/${id}`;
    default:
      return `/transfers/${id}`;
  }
}

const str = (d: Dec): string => d.toFixed();

type Built = Transaction & { cursor: HistoryCursor };

function blank(e: EntryRow, asset: string): Omit<Transaction, 'type' | 'label' | 'amount' | 'total' | 'totalAsset'> {
  return {
    id: `${e.entry_id}:${asset}`,
    createdAt: e.created_at,
    pair: null,
    side: null,
    asset,
    price: null,
    value: null,
    fee: null,
    feeAsset: null,
    counterparty: null,
    reference: e.reference,
    link: linkOf(e.reference),
    imported: false,
    description: null,
  };
}

/** One journal entry as rows: a trade is one row (its fee in it); otherwise one row per asset the entry moved. */
function rowsOfEntry(e: EntryRow, names: Map<string, string>): Built[] {
  const sum = (pred: (l: EntryRow['legs'][number]) => boolean) => e.legs.filter(pred).reduce((s, l) => s.plus(l.amount), new D(0));
  const assets = [...new Set(e.legs.map((l) => l.asset))].sort().reverse();
  if (e.type === 'trade' && e.memo && typeof e.memo.symbol === 'string') {
    const symbol = e.memo.symbol;
    const [base = '', quote = ''] = symbol.split('/');
    const side = e.memo.side === 'sell' ? 'sell' : 'buy';
    const amount = sum((l) => l.asset === base && l.leg === 'trade');
    const value = sum((l) => l.asset === quote && l.leg === 'trade').abs();
    const fee = sum((l) => l.asset === quote && l.leg === 'fee').abs();
    const total = sum((l) => l.asset === quote);
    const price = typeof e.memo.price === 'string' ? new D(e.memo.price) : amount.isZero() ? null : value.div(amount.abs());
    return [
      {
        ...blank(e, base),
        type: 'trade',
        label: side === 'buy' ? 'Buy' : 'Sell',
        pair: symbol,
        side,
        amount: str(amount),
        price: price ? str(price) : null,
        value: str(value),
        fee: str(fee),
        feeAsset: quote,
        total: str(total),
        totalAsset: quote,
        cursor: { src: 'journal', entryId: e.entry_id, asset: base },
      },
    ];
  }
  return assets.map((asset) => {
    const legs = e.legs.filter((l) => l.asset === asset);
    const fee = sum((l) => l.asset === asset && l.leg === 'fee');
    const main = legs.find((l) => l.leg !== 'fee');
    const type: TransactionType =
      e.type === 'transfer'
        ? main && new D(main.amount).isNegative()
          ? 'transfer_out'
          : 'transfer_in'
        : main
          ? ((['deposit', 'withdrawal', 'trade', 'adjustment'] as const).find((t) => t === e.type) ?? 'adjustment')
          : 'fee';
    const amount = main ? sum((l) => l.asset === asset && l.leg !== 'fee') : fee;
    const transferId = /^transfer:(.+)$/.exec(e.reference ?? '')?.[1];
    return {
      ...blank(e, asset),
      type,
      label: LABELS[type],
      amount: str(amount),
      fee: main && !fee.isZero() ? str(fee.abs()) : null,
      feeAsset: main && !fee.isZero() ? asset : null,
      total: str(main ? amount.plus(fee) : fee),
      totalAsset: asset,
      counterparty: transferId ? (names.get(transferId) ?? null) : null,
      cursor: { src: 'journal', entryId: e.entry_id, asset },
    };
  });
}

/**
 * Whether a row belongs under the `fee` filter: it charged a fee (a trade or withdrawal with a non-zero fee), or it
 * is a fee of its own. The repo picks only entries with such a row (transactions.repo.ts typeCondition); this drops
 * the entry's other rows, so the list and the exports (same fetchRows) show the same rows.
 */
function chargedFee(e: EntryRow, r: Built): boolean {
  return e.type === 'fee' || r.type === 'fee' || (r.fee !== null && !new D(r.fee).isZero());
}

function importedRow(r: ImportedRow): Built {
  const type = (LABELS[r.type as TransactionType] ? r.type : 'adjustment') as TransactionType;
  const amount = r.amount === null ? '0' : new D(r.amount).toFixed();
  return {
    id: `imported:${r.id}`,
    createdAt: r.created_at,
    type,
    label: LABELS[type],
    pair: null,
    side: null,
    asset: r.asset,
    amount,
    price: null,
    value: null,
    fee: null,
    feeAsset: null,
    total: amount,
    totalAsset: r.asset,
    counterparty: null,
    reference: r.reference,
    link: null,
    imported: true,
    description: r.description ?? '',
    cursor: { src: 'imported', id: r.id },
  };
}

/** Up to `want` rows after `after` (and one more when there are more), journal first, then the imported rows. */
async function fetchRows(executor: Executor, filter: HistoryFilter, want: number, after: HistoryCursor | null): Promise<Built[]> {
  const out: Built[] = [];
  if (after?.src !== 'imported') {
    // The entry the last page stopped in comes again (its rows up to the cursor's asset are skipped); one entry
    // gives at least one row, so want + 2 entries give want + 1 rows when the history has them.
    const entries = await entriesPage(executor, filter, want + 2, after?.entryId);
    const transferIds = entries.flatMap((e) => /^transfer:(.+)$/.exec(e.reference ?? '')?.[1] ?? []);
    const names = transferIds.length ? await counterparties(executor, filter.userId, transferIds) : new Map<string, string>();
    for (const e of entries) {
      for (const r of rowsOfEntry(e, names)) {
        if (after?.src === 'journal' && e.entry_id === after.entryId && r.asset >= after.asset) continue;
        if (filter.asset && r.type !== 'trade' && r.asset !== filter.asset.toUpperCase()) continue;
        if ((filter.type === 'transfer_in' || filter.type === 'transfer_out') && r.type !== filter.type) continue;
        if (filter.type === 'fee' && !chargedFee(e, r)) continue;
        out.push(r);
      }
    }
    if (out.length > want || entries.length === want + 2) return out;
  }
  const imported = await importedPage(executor, filter, want + 1 - out.length, after?.src === 'imported' ? after.id : undefined);
  return out.concat(imported.map(importedRow));
}

/** The row without its cursor, its fields in the order of the columns (JSON rows read like the CSV). */
const strip = (t: Built): Transaction => Object.fromEntries(TRANSACTION_COLUMNS.map((c) => [c, t[c]])) as Transaction;

export async function listTransactions(
  executor: Executor,
  filter: HistoryFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<Paged<Transaction>> {
  const rows = await fetchRows(executor, filter, page.limit, historyCursor.decode(page.cursor));
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(strip), nextCursor: rows.length > page.limit && last ? historyCursor.encode(last.cursor) : null };
}

/** Every matching row, fetched in keyset batches so memory stays flat whatever the count. */
export async function* allTransactions(executor: Executor, filter: HistoryFilter, batchSize = 1000): AsyncGenerator<Transaction> {
  let after: HistoryCursor | null = null;
  for (;;) {
    const rows = await fetchRows(executor, filter, batchSize, after);
    const batch = rows.slice(0, batchSize);
    for (const r of batch) yield strip(r);
    const last = batch.at(-1);
    if (!last || rows.length <= batchSize) return;
    after = last.cursor;
  }
}

const csvCell = (v: string | boolean | null): string => {
  const s = v === null || v === false ? '' : v === true ? 'true' : v;
  // Quote anything a spreadsheet could misread; neutralise formula prefixes (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** CSV with the columns of the JSON rows (TRANSACTION_COLUMNS), in chunks of ~64 kB. */
export async function* exportCsv(source: AsyncIterable<Transaction>): AsyncGenerator<string> {
  yield `${TRANSACTION_COLUMNS.join(',')}\n`;
  let chunk = '';
  for await (const t of source) {
    chunk += `${TRANSACTION_COLUMNS.map((c) => csvCell(t[c])).join(',')}\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export async function* exportJson(source: AsyncIterable<Transaction>): AsyncGenerator<string> {
  yield '[';
  let first = true;
  let chunk = '';
  for await (const t of source) {
    chunk += (first ? '\n' : ',\n') + JSON.stringify(t);
    first = false;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n]\n`;
}
