import { type apiRoutes, createWithdrawalRequest, Money, NETWORKS, type RouteBody, type WithdrawalAsset } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount, parseDecimal } from '../../lib/money.ts';
import { availableOf, useBalances } from '../../shared/balances.ts';
import { qk } from '../../shared/queryKeys.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { TxLink } from '../../ui/TxLink.tsx';
import { AddAddressForm } from '../security/AddressBookCard.tsx';
import { addressState, useAddressBook } from '../security/api.ts';
import { useWithdrawalAssets, useWithdrawals, walletApi } from './api.ts';

export function WithdrawPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { user } = useAuth();
  const balances = useBalances();
  const withdrawals = useWithdrawals();
  // Only what the server says can be withdrawn (never USD); assets held come first.
  const options = useWithdrawalAssets();
  const held = new Set((balances.data?.items ?? []).map((b) => b.asset));
  const withdrawable = [...(options.data?.items ?? [])].sort((a, b) => Number(held.has(b.asset)) - Number(held.has(a.asset)));
  const assets = withdrawable.map((a) => a.asset);
  const [form, setForm] = useState({ asset: '', amount: '', address: '', network: '', addressId: '' });
  const [adding, setAdding] = useState(false);
  const book = useAddressBook();
  const [errors, setErrors] = useState<FieldErrors>({});
  /** The withdrawal the user is asked to confirm, with the figures shown (taken when the form was submitted). */
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const asset = form.asset || assets[0] || 'BTC';
  const spec = withdrawable.find((a) => a.asset === asset);
  const network = spec?.networks.some((n) => n.id === form.network) ? form.network : (spec?.defaultNetwork ?? '');
  // Book entries for this asset; only usable ones can be chosen, the others show when they will be.
  const entries = (book.data?.items ?? []).filter((a) => a.asset === asset);
  const bookOnly = book.data?.addressBookOnly.enabled ?? false;
  const chosen = entries.find((a) => a.id === form.addressId && a.usable);
  const refresh = () => {
    for (const key of [qk.withdrawals, qk.balances, qk.transactions]) void qc.invalidateQueries({ queryKey: key });
  };
  const create = useMutation({
    mutationFn: walletApi(api).createWithdrawal,
    onSuccess: (w) => {
      setForm((f) => ({ ...f, amount: '' }));
      toast.show('success', 'Withdrawal requested', `${formatAmount(w.amount, w.asset)} is waiting for review.`);
      refresh();
    },
    onError: (e) =>
      setErrors(
        serverErrors(e, {
          INSUFFICIENT_FUNDS: 'amount',
          MIN_AMOUNT: 'amount',
          LIMIT_EXCEEDED: 'amount',
          ADDRESS_BOOK_ONLY: 'address',
          INVALID_STATE: 'addressId',
        }),
      ),
  });
  const cancel = useMutation({
    mutationFn: walletApi(api).cancelWithdrawal,
    onSuccess: () => {
      toast.show('success', 'Withdrawal canceled', 'The locked amount is available again.');
      refresh();
    },
    onError: (e) => toast.show('error', 'Could not cancel', describeError(e)),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = chosen
      ? { asset, amount: form.amount.trim(), addressId: chosen.id }
      : {
          asset,
          amount: form.amount.trim(),
          address: form.address.trim(),
          ...(network ? { network } : {}),
        };
    const v = validate(createWithdrawalRequest, body);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    const id = chosen ? chosen.network : network;
    setConfirming({
      body: v.data,
      assetName: spec ? `${spec.name} (${asset})` : asset,
      networkName: spec?.networks.find((n) => n.id === id)?.name ?? NETWORKS[id]?.name ?? id,
      address: chosen ? chosen.address : (v.data.address ?? ''),
      addressLabel: chosen?.label,
      fee: spec?.fee,
    });
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="grid grid-2">
      <section className="card" aria-labelledby="withdraw-title">
        <h2 id="withdraw-title">Withdraw</h2>
        {!user?.twoFactorEnabled && (
          <p className="alert alert-info small">
            Tip: <Link to="/security">turn on two-factor authentication</Link> — once on, withdrawals and transfers are confirmed with a code.
          </p>
        )}
        <form className="form" onSubmit={submit} noValidate>
          <SelectField
            label="Asset"
            name="asset"
            value={asset}
            onChange={(v) => setForm((f) => ({ ...f, asset: v, network: '' }))}
            options={withdrawable.length ? withdrawable.map((a) => ({ value: a.asset, label: `${a.name} (${a.asset})` })) : [{ value: asset, label: asset }]}
            error={errors.asset}
          />
          <Field
            label="Amount"
            name="amount"
            inputMode="decimal"
            value={form.amount}
            onChange={set('amount')}
            error={errors.amount}
            hint={`Available: ${formatAmount(availableOf(balances.data, asset), asset)}.`}
          />
          <SelectField
            label="Send to"
            name="addressId"
            value={chosen?.id ?? ''}
            onChange={(v) => setForm((f) => ({ ...f, addressId: v }))}
            options={[
              { value: '', label: bookOnly ? 'An address typed below (must be in your address book)' : 'An address typed below' },
              ...entries.filter((a) => a.usable).map((a) => ({ value: a.id, label: `${a.label} · ${a.address.slice(0, 12)}…` })),
            ]}
            error={errors.addressId}
          />
          {entries.some((a) => !a.usable) && (
            <ul className="small muted" data-testid="pending-addresses">
              {entries
                .filter((a) => !a.usable)
                .map((a) => (
                  <li key={a.id}>
                    {a.label}: {addressState(a)}
                  </li>
                ))}
            </ul>
          )}
          {bookOnly && <p className="small muted">“Address book only” is on: withdrawals go only to confirmed addresses of your address book.</p>}
          {!chosen && (
            <>
              <Field
                label="Destination address"
                name="address"
                autoComplete="off"
                spellCheck={false}
                value={form.address}
                onChange={set('address')}
                error={errors.address}
              />
              <SelectField
                label="Network"
                name="network"
                value={network}
                onChange={(v) => setForm((f) => ({ ...f, network: v }))}
                options={(spec?.networks ?? []).map((n) => ({ value: n.id, label: n.name }))}
                error={errors.network}
              />
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAdding((a) => !a)}>
                {adding ? 'Close' : 'Save an address to the address book'}
              </button>
            </>
          )}
          {spec && <FeeSummary spec={spec} amount={form.amount.trim()} available={availableOf(balances.data, asset)} />}
          <FormError message={errors._form} />
          <SubmitButton pending={create.isPending} label="Request withdrawal" pendingLabel="Requesting…" />
        </form>
        {adding && !chosen && (
          <div className="card" style={{ marginTop: '1rem' }}>
            <AddAddressForm key={`${asset}:${form.address}`} initial={{ asset, address: form.address.trim(), network }} onAdded={() => setAdding(false)} />
          </div>
        )}
        {confirming && (
          <WithdrawConfirm
            c={confirming}
            busy={create.isPending}
            onConfirm={() => {
              // The same request the form sent before this step; a step-up the server asks for is a dialog of its own.
              create.mutate(confirming.body);
              setConfirming(null);
            }}
            onCancel={() => setConfirming(null)}
          />
        )}
      </section>
      <section className="card" aria-labelledby="withdrawals-title">
        <h2 id="withdrawals-title">Withdrawals</h2>
        <QueryState query={withdrawals} isEmpty={(d) => d.items.length === 0} empty="No withdrawals yet.">
          {(d) => (
            <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {d.items.map((w) => (
                <li key={w.id} className="row-between" data-testid={`withdrawal-${w.id}`}>
                  <span>
                    <strong className="num">{formatAmount(w.amount, w.asset)}</strong>
                    <span className="muted small break"> to {w.address.slice(0, 10)}…</span>
                    <span className="muted small" style={{ display: 'block' }}>
                      <time dateTime={w.createdAt}>{new Date(w.createdAt).toLocaleString()}</time> · fee {formatAmount(w.fee, w.asset)} ·{' '}
                      {NETWORKS[w.network]?.name ?? w.network}
                      {w.txHash && (
                        <>
                          {' · '}
                          <TxLink network={w.network} hash={w.txHash} />
                        </>
                      )}
                    </span>
                    {w.rejectReason && <span className="small down"> · {w.rejectReason}</span>}
                  </span>
                  <span className="row">
                    <span data-testid="withdrawal-status">
                      <StatusBadge status={w.status} />
                    </span>
                    {w.status === 'pending_review' && (
                      <button type="button" className="btn btn-danger btn-sm" disabled={cancel.isPending} onClick={() => cancel.mutate(w.id)}>
                        Cancel
                      </button>
                    )}
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

type WithdrawalBody = RouteBody<typeof apiRoutes.wallet.createWithdrawal>;
interface Confirming {
  body: WithdrawalBody;
  assetName: string;
  networkName: string;
  address: string;
  /** The address book entry's label, when sending to one. */
  addressLabel: string | undefined;
  /** The network fee from the withdrawal-assets list (undefined only if that list has not loaded). */
  fee: string | undefined;
}

/** The confirmation step (issue 20): where the coins go and the figures, acting only on Confirm. */
function WithdrawConfirm({ c, busy, onConfirm, onCancel }: { c: Confirming; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const { asset, amount } = c.body;
  const total = c.fee !== undefined ? new Money(amount).plus(c.fee).toFixed() : undefined;
  return (
    <ConfirmDialog
      title={`Withdraw ${formatAmount(amount, asset)}?`}
      description="Check the address and the network: coins sent to a wrong address cannot be recovered."
      rows={[
        { label: 'Asset', value: c.assetName },
        { label: 'Network', value: c.networkName, testId: 'withdraw-confirm-network' },
        {
          label: 'To',
          value: (
            <>
              {c.addressLabel && <span className="withdraw-confirm-label">{c.addressLabel}</span>}
              <span className="mono break withdraw-confirm-address">{c.address}</span>
            </>
          ),
          testId: 'withdraw-confirm-address',
        },
        { label: 'Amount', value: formatAmount(amount, asset) },
        { label: 'Network fee', value: c.fee !== undefined ? formatAmount(c.fee, asset) : '—', testId: 'withdraw-confirm-fee' },
        { label: 'Taken from your balance', value: total !== undefined ? formatAmount(total, asset) : '—', strong: true, testId: 'withdraw-confirm-total' },
        { label: 'The address receives', value: formatAmount(amount, asset), strong: true, testId: 'withdraw-confirm-receives' },
      ]}
      confirmLabel="Confirm withdrawal"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    />
  );
}

/** Before submitting: the network fee, what leaves the balance, and what the destination receives. */
function FeeSummary({ spec, amount, available }: { spec: WithdrawalAsset; amount: string; available: string }) {
  const p = parseDecimal(amount);
  const valid = p !== null && !p.negative && amount !== '';
  const total = valid ? new Money(amount).plus(spec.fee).toFixed() : null;
  const short = total !== null && parseDecimal(available) !== null && new Money(total).gt(available);
  return (
    <div aria-live="polite">
      <dl className="fee-summary small" data-testid="withdraw-summary">
        <dt>Network fee</dt>
        <dd className="num">{formatAmount(spec.fee, spec.asset)}</dd>
        <dt>Taken from your balance</dt>
        <dd className="num">{total ? formatAmount(total, spec.asset) : '—'}</dd>
        <dt>The address receives</dt>
        <dd className="num" data-testid="withdraw-receives">
          {valid ? formatAmount(amount, spec.asset) : '—'}
        </dd>
      </dl>
      {short && <p className="small down">That is more than your available {formatAmount(available, spec.asset)}.</p>}
    </div>
  );
}
