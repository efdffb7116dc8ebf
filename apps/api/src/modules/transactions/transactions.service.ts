import type { Transaction } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
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
const encode = (c: HistoryCursor) => Buffer.from(`${c.entryId}|${c.asset}|${c.leg}${c.src === 0 ? '|0' : ''}`).toString('base64url');

function decode(cursor: string): HistoryCursor {
  const [entryId, asset, leg, src] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!entryId || !/^\d{1,19}$/.test(entryId) || !asset || !leg || (src !== undefined && src !== '0')) throw new AppError('VALIDATION_ERROR', 'Invalid cursor');
  return { src: src === '0' ? 0 : 1, entryId, asset, leg };
}

export async function listTransactions(
  executor: Executor,
  filter: HistoryFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: Transaction[]; nextCursor: string | null }> {
  const rows = await historyPage(executor, filter, page.limit + 1, page.cursor ? decode(page.cursor) : undefined);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(toTransaction), nextCursor: rows.length > page.limit && last ? encode(cursorOf(last)) : null };
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
