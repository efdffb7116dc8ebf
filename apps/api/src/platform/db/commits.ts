import type { Db, Executor } from './client.ts';

/**
 * "These users' money changed", announced where it is written and delivered once it is durable: after the commit
 * of the transaction it was written in (never for a transaction that rolls back), or at once for a statement run
 * outside a transaction (it committed when it returned). The ledger announces every posting (postEntries); the
 * platform listens and invalidates its per-user read caches (platform/versioned-cache.ts) before the writer's
 * caller answers, so that whatever the user reads next, on any machine, includes the change.
 *
 * `db.transaction` is wrapped by `trackCommits` (both database kinds); nested transactions (savepoints) report to
 * the outermost one.
 */
export type UsersChangedListener = (userIds: string[]) => Promise<void>;

const listeners = new WeakMap<object, Set<UsersChangedListener>>();
const openTransactions = new WeakMap<object, Set<string>>();

type TransactionFn = (fn: (tx: Executor) => Promise<unknown>, config?: unknown) => Promise<unknown>;

function patchNested(tx: Executor, users: Set<string>): void {
  openTransactions.set(tx, users);
  const nested = (tx as unknown as { transaction: TransactionFn }).transaction.bind(tx);
  (tx as unknown as { transaction: TransactionFn }).transaction = (fn, config) =>
    nested((inner) => {
      patchNested(inner, users);
      return fn(inner);
    }, config);
}

/** Wraps `db.transaction` so that announcements made inside reach the listeners after the commit. */
export function trackCommits(db: Db): Db {
  const root = (db as unknown as { transaction: TransactionFn }).transaction.bind(db);
  (db as unknown as { transaction: TransactionFn }).transaction = async (fn, config) => {
    const users = new Set<string>();
    const result = await root((tx) => {
      patchNested(tx, users);
      return fn(tx);
    }, config);
    if (users.size) await deliver(db, [...users]);
    return result;
  };
  return db;
}

async function deliver(db: object, userIds: string[]): Promise<void> {
  const set = listeners.get(db);
  if (set) await Promise.all([...set].map((l) => l(userIds)));
}

/** Announces that `userIds`' balances, orders or positions changed through `ex`. */
export async function usersChanged(ex: Executor, userIds: Iterable<string>): Promise<void> {
  const open = openTransactions.get(ex);
  if (open) {
    for (const id of userIds) open.add(id);
    return;
  }
  const ids = [...new Set(userIds)];
  if (ids.length) await deliver(ex, ids);
}

/** Listens for committed changes made through `db` (a listener must not throw). Returns the unsubscribe. */
export function onUsersChanged(db: Db, listener: UsersChangedListener): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}
