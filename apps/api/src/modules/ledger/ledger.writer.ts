import type { Db } from '../../platform/db/client.ts';
import type { TableRows } from '../../platform/db/table-rows.ts';
import { Batcher } from '../../platform/batcher.ts';
import type { Platform } from '../../platform/index.ts';
import { retryTransient } from '../../platform/db/sql.ts';
import { postEntries, shardFor } from './ledger.service.ts';
import type { JournalEntryInput, PostingInput, PostResult } from './ledger.types.ts';

interface Submission {
  entry: JournalEntryInput;
  writes: readonly TableRows[];
}

export interface LedgerWriterOptions {
  /** Batches running at once: 2 on PostgreSQL, 1 on PGlite (one connection). */
  maxInFlight: number;
  /** Entries per statement at most (64; 1 turns group commit off, for the bench that measures it). */
  maxBatch?: number;
  /** Told the size of every batch (the market_fill_batch_size metric). */
  onBatch?: (size: number) => void;
}

/**
 * Posts journal entries together with the rows that belong to them, committed with the entry or not at all, in
 * one statement without an explicit transaction (ledger.repo.ts `applyEntries`). Entries submitted while earlier
 * ones are being written go out together in the next statement: group commit (platform/batcher.ts, and
 * docs/decisions/0001-group-commit-in-the-ledger.md for what it costs and buys). Each submission still gets its own
 * balanced entry and its own answer: a batch that cannot be applied as a whole (one entry without the funds, one
 * row refused by a unique index) is retried entry by entry, so one submission never refuses another.
 *
 * Callers know nothing of batches or SQL: `submit(entry, writes)` resolves with the entry's result once it and its
 * rows are committed, or rejects with that submission's own error (INSUFFICIENT_FUNDS as an AppError, a unique
 * violation as the database's error). An account the entry needs that does not exist yet (a user's first BTC) is
 * created in the same transaction as the entry.
 *
 * A batch whose outcome is unknown (the connection lost after the statement was sent) is retried entry by entry
 * like any failed batch: give each entry a row with a key of its own (an order's id) among its `writes`, so that a
 * retry of an entry already applied is refused by that row's unique index instead of posting twice.
 */
export class LedgerWriter {
  private readonly batcher: Batcher<Submission, PostResult>;

  constructor(
    private readonly db: Db,
    options: LedgerWriterOptions,
  ) {
    // On PostgreSQL a second batch may run beside the first once at least 16 entries wait (smaller batches side by
    // side cost more statements than they save in waiting; measured in bench/orders.mjs).
    this.batcher = new Batcher((items) => this.run(items), {
      maxInFlight: options.maxInFlight,
      maxBatch: options.maxBatch ?? 64,
      minShare: options.maxBatch === 1 ? 1 : 16,
      onBatch: options.onBatch,
    });
  }

  /** Posts `entry` and writes `writes` with it, atomically; resolves after commit. */
  submit(entry: JournalEntryInput, writes: readonly TableRows[] = []): Promise<PostResult> {
    return this.batcher.submit({ entry, writes });
  }

  private async run(items: Submission[]): Promise<PromiseSettledResult<PostResult>[]> {
    if (items.length > 1) {
      try {
        const all = await retryTransient(() => this.write(items));
        return all.map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // tried alone below: each submission then gets its own answer
      }
    }
    const out: PromiseSettledResult<PostResult>[] = [];
    for (const item of items) {
      try {
        out.push({ status: 'fulfilled', value: (await retryTransient(() => this.write([item])))[0]! });
      } catch (reason) {
        out.push({ status: 'rejected', reason });
      }
    }
    return out;
  }

  /** One statement for all of `items` (or, when an account is missing, a transaction that creates it first). */
  private async write(items: Submission[]): Promise<PostResult[]> {
    // One platform shard for the whole batch: its platform rows are updated once, not once per entry. Batches led by
    // different users land on different shards, so batches running at once do not queue on each other.
    const shard = shardFor(items[0]!.entry.userId ?? '');
    const entries = items.length > 1 ? items.map((i) => onShard(i.entry, shard)) : items.map((i) => i.entry);
    const writes = mergeByTable(items.flatMap((i) => i.writes));
    return (await postEntries(this.db, entries, writes, false)) ?? (await this.db.transaction((tx) => postEntries(tx, entries, writes, true).then((r) => r!)));
  }
}

/** The entry with its postings to sharded platform accounts moved to `shard` (the same accounts' sum either way). */
function onShard(entry: JournalEntryInput, shard: number): JournalEntryInput {
  const postings = entry.postings.map(
    (p): PostingInput => (p.account.kind !== 'user' && p.account.shard !== undefined ? { ...p, account: { ...p.account, shard } } : p),
  );
  return { ...entry, postings };
}

/** One insert per table for the whole batch, so the statement's text (and its prepared plan) does not grow with it. */
function mergeByTable(writes: TableRows[]): TableRows[] {
  const byTable = new Map<TableRows['table'], Record<string, unknown>[]>();
  for (const w of writes) byTable.set(w.table, [...(byTable.get(w.table) ?? []), ...w.rows]);
  return [...byTable].map(([table, rows]) => ({ table, rows }));
}

/** The writer of a running API: its batches' sizes go to the market_fill_batch_size metric. */
export function createLedgerWriter(platform: Pick<Platform, 'database' | 'metrics'>): LedgerWriter {
  return new LedgerWriter(platform.database.db, {
    maxInFlight: platform.database.kind === 'postgres' ? 2 : 1,
    onBatch: (size) => platform.metrics.marketFillBatch.observe(size),
  });
}
