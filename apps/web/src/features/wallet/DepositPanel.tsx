import { createDepositRequest, type Deposit, depositAssetFor, depositNetworkFor, depositStage, type Page } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi, useServices } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount, formatUsd } from '../../lib/money.ts';
import { qk } from '../../shared/queryKeys.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { TxLink } from '../../ui/TxLink.tsx';
import { PAY_CURRENCIES, useDeposits, walletApi } from './api.ts';
import { creditWords, DepositHeading, DepositOutcome, DepositSteps } from './DepositProgress.tsx';
import { Qr } from './Qr.tsx';

const FINAL = new Set(['finished', 'failed', 'refunded', 'expired']);

function DepositCard({ d }: { d: Deposit }) {
  const { api, config } = useServices();
  const qc = useQueryClient();
  const toast = useToast();
  const simulate = useMutation({
    mutationFn: (status: 'confirming' | 'partially_paid' | 'finished' | 'failed' | 'expired') => walletApi(api).devCompleteDeposit(d.id, { status }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.deposits }),
    onError: (e) => toast.show('error', 'Simulation failed', String(e instanceof Error ? e.message : e)),
  });
  const canSimulate = d.provider === 'simulated' && config.features.devTools !== false && !FINAL.has(d.status);
  const stage = depositStage(d);
  const coin = d.payCurrency.toUpperCase();
  return (
    <section className="card" aria-label="Payment details" data-testid="deposit-card">
      <DepositHeading d={d} stage={stage} />
      <DepositSteps stage={stage} />
      {stage === 'waiting' ? (
        <div className="row" style={{ alignItems: 'flex-start', marginTop: '1rem', gap: '1.25rem' }}>
          {d.payAddress && <Qr text={d.payAddress} label={`QR code of the ${coin} payment address`} />}
          <dl className="stack small" style={{ margin: 0, flex: 1, minWidth: 200 }}>
            <div>
              <dt className="label">Send exactly</dt>
              <dd className="row num" style={{ margin: 0 }}>
                <span data-testid="deposit-pay-amount">{formatAmount(d.payAmount, d.payCurrency)}</span>
                {d.payAmount && <CopyButton text={d.payAmount} label={`Copy the amount, ${d.payAmount} ${coin}`} />}
              </dd>
            </div>
            <div>
              <dt className="label">To this address</dt>
              <dd className="row num break" style={{ margin: 0 }}>
                <span>{d.payAddress ?? 'The provider is preparing an address…'}</span>
                {d.payAddress && <CopyButton text={d.payAddress} label="Copy the payment address" />}
              </dd>
            </div>
            <div>
              <dt className="label">You will be credited</dt>
              <dd style={{ margin: 0 }}>{creditWords(d)}</dd>
            </div>
            {d.expiresAt && (
              <div>
                <dt className="label">Expires</dt>
                <dd style={{ margin: 0 }}>{new Date(d.expiresAt).toLocaleString()}</dd>
              </div>
            )}
          </dl>
        </div>
      ) : (
        <DepositOutcome d={d} stage={stage} />
      )}
      <p className="small muted" style={{ marginTop: '0.75rem' }}>
        Payment id (for support): <span className="num">{d.providerPaymentId}</span>
      </p>
      {!FINAL.has(d.status) && <p className="hint">This page updates by itself when the payment arrives.</p>}
      {canSimulate && (
        <div className="dev-box" style={{ marginTop: '1rem' }}>
          <div className="label">Development only: simulated payment provider</div>
          <p className="small">No real coins move in this mode. Pretend the payment arrived:</p>
          <div className="row">
            <button type="button" className="btn btn-primary btn-sm" disabled={simulate.isPending} onClick={() => simulate.mutate('finished')}>
              Simulate payment
            </button>
            {d.status === 'waiting' && (
              <button type="button" className="btn btn-sm" disabled={simulate.isPending} onClick={() => simulate.mutate('confirming')}>
                Simulate confirming
              </button>
            )}
            <button type="button" className="btn btn-sm" disabled={simulate.isPending} onClick={() => simulate.mutate('partially_paid')}>
              Simulate partial payment
            </button>
            <button type="button" className="btn btn-sm" disabled={simulate.isPending} onClick={() => simulate.mutate('expired')}>
              Let it expire
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

export function DepositPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const deposits = useDeposits();
  const [amountUsd, setAmountUsd] = useState('');
  const [payCurrency, setPayCurrency] = useState('btc');
  const [creditAs, setCreditAs] = useState<'usd' | 'coin'>('usd');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [currentId, setCurrentId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: walletApi(api).createDeposit,
    onSuccess: (d) => {
      setCurrentId(d.id);
      qc.setQueryData<Page<Deposit>>(qk.deposits, (old) => (old ? { ...old, items: [d, ...old.items.filter((x) => x.id !== d.id)] } : old));
      void qc.invalidateQueries({ queryKey: qk.deposits });
    },
    onError: (e) => setErrors(serverErrors(e, { MIN_AMOUNT: 'amountUsd', LIMIT_EXCEEDED: 'amountUsd' })),
  });
  const current = deposits.data?.items.find((d) => d.id === currentId) ?? (create.data?.id === currentId ? create.data : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(createDepositRequest, { amountUsd: amountUsd.trim(), payCurrency, creditAs });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    create.mutate(v.data);
  }

  return (
    <div className="grid grid-2">
      <div className="stack" style={{ gap: '1rem' }}>
        <section className="card" aria-labelledby="deposit-title">
          <h2 id="deposit-title">Deposit</h2>
          <form className="form" onSubmit={submit} noValidate>
            <Field
              label="Amount (USD)"
              name="amountUsd"
              inputMode="decimal"
              value={amountUsd}
              onChange={(e) => setAmountUsd(e.target.value)}
              error={errors.amountUsd}
              hint={
                creditAs === 'coin'
                  ? `You pay this value in ${depositAssetFor(payCurrency)}; your ${depositAssetFor(payCurrency)} balance receives the coins that arrive.`
                  : undefined
              }
            />
            <SelectField
              label="Pay with"
              name="payCurrency"
              value={payCurrency}
              onChange={setPayCurrency}
              options={PAY_CURRENCIES}
              error={errors.payCurrency}
            />
            <SelectField
              label="Credit my balance in"
              name="creditAs"
              value={creditAs}
              onChange={(v) => setCreditAs(v === 'coin' ? 'coin' : 'usd')}
              options={[
                { value: 'usd', label: 'US dollars (USD)' },
                { value: 'coin', label: `The coin I pay with (${depositAssetFor(payCurrency)})` },
              ]}
              error={errors.creditAs}
            />
            <FormError message={errors._form} />
            <SubmitButton pending={create.isPending} label="Continue" pendingLabel="Creating payment…" />
          </form>
        </section>
        {current && <DepositCard d={current} />}
      </div>
      <section className="card" aria-labelledby="deposit-history">
        <h2 id="deposit-history">Recent deposits</h2>
        <QueryState query={deposits} isEmpty={(d) => d.items.length === 0} empty="No deposits yet.">
          {(d) => (
            <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {d.items.map((x) => (
                <li key={x.id} className="row-between">
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    onClick={() => setCurrentId(x.id)}
                    aria-label={`Show deposit of ${formatUsd(x.amountUsd)}`}
                  >
                    {x.creditedAmount !== null && x.creditAsset !== 'USD' ? formatAmount(x.creditedAmount, x.creditAsset) : formatUsd(x.amountUsd)}{' '}
                    <span className="muted small">via {x.payCurrency.toUpperCase()}</span>
                  </button>
                  <span className="row small">
                    {x.txHash && <TxLink network={depositNetworkFor(x.payCurrency)} hash={x.txHash} />}
                    <span className="muted">{new Date(x.createdAt).toLocaleDateString()}</span>
                    <StatusBadge status={x.status} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </div>
  );
}
