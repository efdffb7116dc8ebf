import type { Reconciliation } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { reconciliation } from './ledger.repo.ts';
import { D } from './money.ts';

/** The books balance when every asset has zero drift, no account differs from its postings, no entry is unbalanced. */
export async function reconcile(executor: Executor): Promise<Reconciliation> {
  const rows = await reconciliation(executor);
  const items = rows.map((r) => {
    const drift = new D(r.users_total).plus(r.platform_total).minus(r.journal_total);
    return {
      asset: r.asset,
      usersTotal: new D(r.users_total).toFixed(),
      platformTotal: new D(r.platform_total).toFixed(),
      journalTotal: new D(r.journal_total).toFixed(),
      drift: drift.toFixed(),
      mismatchedAccounts: Number(r.mismatched_accounts),
      unbalancedEntries: Number(r.unbalanced_entries),
    };
  });
  const ok = items.every((i) => new D(i.drift).isZero() && new D(i.journalTotal).isZero() && i.mismatchedAccounts === 0 && i.unbalancedEntries === 0);
  return { ok, checkedAt: new Date().toISOString(), items };
}
