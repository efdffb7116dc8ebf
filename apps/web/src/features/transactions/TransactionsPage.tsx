import { transactionType } from '@cryptovault/contract';
import { useState } from 'react';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { formatAmount, isNegative } from '../../lib/money.ts';
import { humanize } from '../../ui/badges.tsx';
import { Field, SelectField } from '../../ui/Field.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { exportTransactionsCsv, useTransactions } from './api.ts';

const TYPES = ['', 'deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out', 'adjustment'];

/** Date inputs give local days; the API wants instants. */
const startOf = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const endOf = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

export default function TransactionsPage() {
  const api = useApi();
  const toast = useToast();
  const [filters, setFilters] = useState({ type: '', asset: '', from: '', to: '' });
  const [exporting, setExporting] = useState(false);
  const query = {
    type: transactionType.safeParse(filters.type).data,
    asset: filters.asset.trim().toUpperCase() || undefined,
    from: startOf(filters.from),
    to: endOf(filters.to),
  };
  const list = useTransactions(query);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  async function exportCsv() {
    setExporting(true);
    try {
      const res = await exportTransactionsCsv(api, query);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `cryptovault-transactions-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (e) {
      toast.show('error', 'Export failed', describeError(e));
    } finally {
      setExporting(false);
    }
  }

  const set = (k: keyof typeof filters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }));
  return (
    <>
      <div className="page-head">
        <h1>Transaction history</h1>
        <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting}>
          {exporting ? 'Preparing…' : 'Export CSV'}
        </button>
      </div>
      <section className="card" aria-label="Filters" style={{ marginBottom: '1rem' }}>
        <div className="form-row">
          <SelectField
            label="Type"
            value={filters.type}
            onChange={set('type')}
            options={TYPES.map((t) => ({ value: t, label: t ? humanize(t) : 'All types' }))}
          />
          <Field label="Asset" placeholder="e.g. BTC" value={filters.asset} onChange={(e) => set('asset')(e.target.value)} />
          <Field label="From" type="date" value={filters.from} onChange={(e) => set('from')(e.target.value)} />
          <Field label="To" type="date" value={filters.to} onChange={(e) => set('to')(e.target.value)} />
        </div>
      </section>
      <section className="card" aria-label="Transactions">
        {list.isPending ? (
          <Loading label="Loading transactions" />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : items.length === 0 ? (
          <Empty>No transactions match these filters.</Empty>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="transactions">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Type</th>
                    <th scope="col">Asset</th>
                    <th scope="col" className="right">
                      Amount
                    </th>
                    <th scope="col" className="hide-sm">
                      Reference
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((t) => (
                    <tr key={t.id} data-testid={`tx-${t.id}`}>
                      <td className="small">{new Date(t.createdAt).toLocaleString()}</td>
                      <td>
                        {humanize(t.type)}
                        {t.imported && (
                          <>
                            {' '}
                            <span className="badge badge-info" title="Imported from the previous system: read-only history, it moved no money here">
                              Imported
                            </span>
                            {t.description && <div className="small muted break">{t.description}</div>}
                          </>
                        )}
                      </td>
                      <td>{t.asset}</td>
                      <td className={`right num ${isNegative(t.amount) ? 'down' : 'up'}`}>
                        {formatAmount(t.amount, t.asset, { withSymbol: false, signed: true })}
                      </td>
                      <td className="hide-sm small muted break">{t.reference ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {list.hasNextPage && (
              <div className="row" style={{ justifyContent: 'center', marginTop: '1rem' }}>
                <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </>
  );
}
