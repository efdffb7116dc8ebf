import type { Transaction } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { cursorCodec } from '../../platform/db/paging.ts';
import { D } from '../ledger/index.ts';
import { type HistoryCursor, type HistoryFilter, type HistoryRow, historyPage } from './transactions.repo.ts';

function toTransaction(r: HistoryRow): Transaction {
  if (Number(r.src) === 0) {
    // Imported from the original system: read-only, its own id space (legacy_history.id).
    return {
      id: `imported:${r.entry_id}`,
      entryId: `imported:${r.entry_id}`,
      type: r.leg as Transaction['type'],
      asset: r.asset,
      amount: r.amount === null ? '0' : new D(r.amount).toFixed(),
      reference: r.reference,
      createdAt: r.created_at,
      imported: true,
      description: r.description ?? '',
    };
  }
  return {
    id: `${r.entry_id}:${r.asset}:${r.leg}`,
    entryId: r.entry_id,
    type: r.leg as Transaction['type'],
    asset: r.asset,
    amount: new D(r.amount ?? 0).toFixed(),
    reference: r.reference,
    createdAt: r.created_at,
  };
}

const cursorOf = (r: HistoryRow): HistoryCursor => ({ src: Number(r.src) === 0 ? 0 : 1, entryId: r.entry_id, asset: r.asset, leg: r.leg });
/** (entry id, asset, leg), with a trailing 0 for rows from the imported history. */
const historyCursor = cursorCodec<HistoryCursor>(
  (c) => (c.src === 0 ? [c.entryId, c.asset, c.leg, '0'] : [c.entryId, c.asset, c.leg]),
  ([entryId, asset, leg, src, ...rest]) =>
    entryId && /^\d{1,19}$/.test(entryId) && asset && leg && (src === undefined || src === '0') && rest.length === 0
      ? { src: src === '0' ? 0 : 1, entryId, asset, leg }
      : null,
);

export async function listTransactions(
  executor: Executor,
  filter: HistoryFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: Transaction[]; nextCursor: string | null }> {
  const rows = await historyPage(executor, filter, page.limit + 1, historyCursor.decode(page.cursor) ?? undefined);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(toTransaction), nextCursor: rows.length > page.limit && last ? historyCursor.encode(cursorOf(last)) : null };
}

/** Every matching transaction, fetched in keyset batches so memory stays flat whatever the count. */
export async function* allTransactions(executor: Executor, filter: HistoryFilter, batchSize = 1000): AsyncGenerator<Transaction> {
  let after: HistoryCursor | undefined;
  for (;;) {
    const rows = await historyPage(executor, filter, batchSize, after);
    for (const r of rows) yield toTransaction(r);
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    after = cursorOf(last);
  }
}

const csvCell = (v: string | null): string => {
  const s = v ?? '';
  // Quote anything a spreadsheet could misread; neutralise formula prefixes (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export async function* exportCsv(source: AsyncIterable<Transaction>): AsyncGenerator<string> {
  yield 'id,createdAt,type,asset,amount,reference,imported,description\n';
  let chunk = '';
  for await (const t of source) {
    chunk += [t.id, t.createdAt, t.type, t.asset, t.amount, t.reference, t.imported ? 'true' : '', t.description ?? ''].map(csvCell).join(',') + '\n';
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
