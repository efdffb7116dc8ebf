import { GAINS_METHODS, type GainsMethod } from '@cryptovault/contract';
import { useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { formatAmount, formatUsd, isNegative } from '../../lib/money.ts';
import { useApi } from '../../shared/services.ts';
import { AssetIcon } from '../../ui/badges.tsx';
import { SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { downloadTaxReport, useGainsPnl, useGainsSettings, useSetGainsMethod } from './api.ts';

export const METHOD_LABELS: Record<GainsMethod, string> = { fifo: 'FIFO', hifo: 'HIFO', average: 'Average cost' };
const METHOD_HINTS: Record<GainsMethod, string> = {
  fifo: 'FIFO: a sale uses the coins you acquired first.',
  hifo: 'HIFO: a sale uses the coins that cost the most first.',
  average: 'Average cost: every coin of an asset costs the average of what you paid for them.',
};
const METHOD_SHORT: Record<GainsMethod, string> = { fifo: 'FIFO', hifo: 'HIFO', average: 'average cost' };

const isZero = (v: string) => /^[-+]?0(\.0+)?$/.test(v);
/** Gains green, losses red, nothing for zero or unknown. */
const tone = (v: string | null) => (v === null || isZero(v) ? '' : isNegative(v) ? 'down' : 'up');
const signed = (v: string | null) => (v === null ? '—' : formatUsd(v, { signed: !isZero(v) }));

/** Realised, unrealised and total P&L per asset (dashboard card). */
export function GainsPnlCard() {
  const pnl = useGainsPnl();
  return (
    <section className="card" aria-labelledby="pnl-title">
      <div className="row-between" style={{ marginBottom: '0.5rem' }}>
        <h2 id="pnl-title" style={{ margin: 0 }}>
          Profit and loss
        </h2>
        {pnl.data && <span className="muted small">by {METHOD_SHORT[pnl.data.method]}</span>}
      </div>
      <QueryState query={pnl} loadingLabel="Loading profit and loss">
        {(p) =>
          p.assets.length === 0 ? (
            <p className="muted">No coins bought or received yet: profit and loss appear after your first trade.</p>
          ) : (
            <div className="table-wrap">
              <table className="table pnl-table" data-testid="pnl">
                <thead>
                  <tr>
                    <th scope="col">Asset</th>
                    <th scope="col" className="right hide-sm">
                      Held
                    </th>
                    <th scope="col" className="right hide-sm">
                      Cost basis
                    </th>
                    <th scope="col" className="right">
                      Realised
                    </th>
                    <th scope="col" className="right">
                      Unrealised
                    </th>
                    <th scope="col" className="right">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.assets.map((a) => (
                    <tr key={a.asset} data-testid={`pnl-${a.asset}`}>
                      <td>
                        <span className="asset-cell">
                          <AssetIcon symbol={a.asset} />
                          <strong>{a.asset}</strong>
                        </span>
                      </td>
                      <td className="right num hide-sm">{formatAmount(a.amount, a.asset, { withSymbol: false })}</td>
                      <td className="right num hide-sm">{formatUsd(a.costBasisUsd)}</td>
                      <td className={`right num ${tone(a.realizedUsd)}`}>{signed(a.realizedUsd)}</td>
                      <td className={`right num ${tone(a.unrealizedUsd)}`}>{signed(a.unrealizedUsd)}</td>
                      <td className={`right num ${tone(a.totalUsd)}`}>
                        <strong>{signed(a.totalUsd)}</strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr data-testid="pnl-total">
                    <th scope="row">Total</th>
                    <td className="hide-sm" />
                    <td className="hide-sm" />
                    <td className={`right num ${tone(p.realizedUsd)}`}>{signed(p.realizedUsd)}</td>
                    <td className={`right num ${tone(p.unrealizedUsd)}`}>{signed(p.unrealizedUsd)}</td>
                    <td className={`right num ${tone(p.totalUsd)}`}>
                      <strong>{signed(p.totalUsd)}</strong>
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}

/** Choose the year and the cost-basis method, download the realised-gains report as CSV or PDF. */
export function TaxReportCard() {
  const api = useApi();
  const toast = useToast();
  const settings = useGainsSettings();
  const setMethod = useSetGainsMethod();
  const thisYear = new Date().getUTCFullYear();
  const [year, setYear] = useState(String(thisYear));
  const [busy, setBusy] = useState<'csv' | 'pdf' | null>(null);
  const method = settings.data?.method ?? 'fifo';

  async function download(format: 'csv' | 'pdf') {
    setBusy(format);
    try {
      const res = await downloadTaxReport(api, Number(year), format, method);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `cryptovault-gains-${year}-${method}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (e) {
      toast.show('error', 'The report could not be prepared', describeError(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card tax-report" aria-labelledby="tax-title">
      <h2 id="tax-title">Tax report</h2>
      <p className="muted small">
        Every sale of the year with the lots it used: acquisition date, cost, proceeds net of fees, gain or loss, and whether it was held more than a year.
        Withdrawals and transfers you send are not sales.
      </p>
      <div className="form-row">
        <SelectField
          label="Year"
          name="tax-year"
          value={year}
          onChange={setYear}
          options={Array.from({ length: 6 }, (_, i) => String(thisYear - i)).map((y) => ({ value: y, label: y }))}
        />
        <SelectField
          label="Cost-basis method"
          name="gains-method"
          value={method}
          onChange={(m) => setMethod.mutate(m as GainsMethod, { onError: (e) => toast.show('error', 'The method was not saved', describeError(e)) })}
          options={GAINS_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
        />
      </div>
      <p className="muted small" data-testid="method-hint">
        {METHOD_HINTS[method]} It applies to your profit and loss too; changing it recomputes every year.
      </p>
      <div className="row" style={{ gap: '0.5rem' }}>
        <button type="button" className="btn btn-primary" onClick={() => void download('pdf')} disabled={busy !== null || setMethod.isPending}>
          {busy === 'pdf' ? 'Preparing…' : 'Download PDF'}
        </button>
        <button type="button" className="btn" onClick={() => void download('csv')} disabled={busy !== null || setMethod.isPending}>
          {busy === 'csv' ? 'Preparing…' : 'Download CSV'}
        </button>
      </div>
    </section>
  );
}
