import type { Transaction, TransactionFilterType } from '@cryptovault/contract';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { formatAmount, formatPrice, isNegative } from '../../lib/money.ts';
import { useApi } from '../../shared/services.ts';
import { Field, SelectField } from '../../ui/Field.tsx';
import { Empty, ErrorState, Loading } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { exportTransactions, type TransactionFilters, useTransactions } from './api.ts';

/** The filter in plain words; each maps to the API's `type`. */
const TYPES: { value: '' | TransactionFilterType; label: string }[] = [
  { value: '', label: 'All activity' },
  { value: 'trade', label: 'Trades' },
  { value: 'deposit', label: 'Deposits' },
  { value: 'withdrawal', label: 'Withdrawals' },
  { value: 'transfer', label: 'Transfers' },
  // Every row that charged a fee (trades, withdrawals), not only fees booked on their own.
  { value: 'fee', label: 'Fees paid' },
];

/** Date inputs give local days; the API wants instants. */
const startOf = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const endOf = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

/** USD as money ("$1,942.46"), other assets with their symbol. */
const amountOf = (value: string | null, asset: string | null, signed = false) =>
  value === null || asset === null
    ? '—'
    : asset === 'USD'
      ? formatAmount(value, 'USD', { withSymbol: false, signed }).replace(/^([+-]?)/, '$1$')
      : formatAmount(value, asset, { signed });

function what(t: Transaction): string {
  if (t.type === 'trade' && t.pair) return `${t.label} ${t.pair}`;
  return t.label;
}

function linkText(t: Transaction): string {
  if (t.reference?.startsWith('order:')) return 'View order';
  if (t.reference?.startsWith('deposit:')) return 'View deposit';
  if (t.reference?.startsWith('withdrawal:')) return 'See your withdrawals';
  return 'See your transfers';
}

export default function TransactionsPage() {
  const api = useApi();
  const toast = useToast();
  const [filters, setFilters] = useState({ type: '', asset: '', from: '', to: '' });
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const query: TransactionFilters = {
    type: TYPES.find((t) => t.value === filters.type)?.value || undefined,
    asset: /^[A-Za-z0-9]{2,10}$/.test(filters.asset.trim()) ? filters.asset.trim().toUpperCase() : undefined,
    from: startOf(filters.from),
    to: endOf(filters.to),
  };
  const list = useTransactions(query);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  async function download(format: 'csv' | 'json') {
    setExporting(format);
    try {
      const res = await exportTransactions(api, format, query);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `cryptovault-transactions-${new Date().toISOString().slice(0, 10)}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (e) {
      toast.show('error', 'Export failed', describeError(e));
    } finally {
      setExporting(null);
    }
  }

  const set = (k: keyof typeof filters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }));
  return (
    <>
      <div className="page-head">
        <h1>Transaction history</h1>
        <div className="row" style={{ gap: '0.5rem' }}>
          <button type="button" className="btn" onClick={() => void download('csv')} disabled={exporting !== null}>
            {exporting === 'csv' ? 'Preparing…' : 'Export CSV'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => void download('json')} disabled={exporting !== null}>
            {exporting === 'json' ? 'Preparing…' : 'Export JSON'}
          </button>
        </div>
      </div>
      <section className="card" aria-label="Filters" style={{ marginBottom: '1rem' }}>
        <div className="form-row">
          <SelectField label="Show" value={filters.type} onChange={set('type')} options={TYPES.map((t) => ({ value: t.value, label: t.label }))} />
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
                    <th scope="col" className="hide-sm">
                      Date
                    </th>
                    <th scope="col">Type</th>
                    <th scope="col" className="right">
                      Amount
                    </th>
                    <th scope="col" className="right hide-sm">
                      Price
                    </th>
                    <th scope="col" className="right hide-sm">
                      Fee
                    </th>
                    <th scope="col" className="right">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((t) => (
                    <tr key={t.id} data-testid={`tx-${t.id}`}>
                      <td className="small hide-sm">{new Date(t.createdAt).toLocaleString()}</td>
                      <td>
                        {t.link ? (
                          <Link to={t.link} title={linkText(t)}>
                            {what(t)}
                          </Link>
                        ) : (
                          what(t)
                        )}
                        <div className="small muted only-sm">{new Date(t.createdAt).toLocaleString()}</div>
                        {t.counterparty && (
                          <div className="small muted break">{t.type === 'transfer_out' ? `to ${t.counterparty}` : `from ${t.counterparty}`}</div>
                        )}
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
                      <td className={`right num ${isNegative(t.amount) ? 'down' : 'up'}`}>{amountOf(t.amount, t.asset, true)}</td>
                      <td className="right num hide-sm">{t.price ? formatPrice(t.price) : '—'}</td>
                      <td className="right num hide-sm">{t.fee ? amountOf(t.fee, t.feeAsset) : '—'}</td>
                      <td className="right num">{amountOf(t.total, t.totalAsset, true)}</td>
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
