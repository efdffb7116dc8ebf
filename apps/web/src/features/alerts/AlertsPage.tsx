import { type apiRoutes, createAlertRequest, type PriceAlert, type RouteBody } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../shared/services.ts';
import { ApiError, describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatPrice } from '../../lib/money.ts';
import { useAssets, useLivePrice } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, FormError, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { alertsApi, useAlerts } from './api.ts';

function AlertRow({ a }: { a: PriceAlert }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const live = useLivePrice(a.assetId);
  const done = () => void qc.invalidateQueries({ queryKey: qk.alerts });
  /** The server's warning when turning the alert on where the price already is, waiting for the user's answer. */
  const [wouldFire, setWouldFire] = useState<string | null>(null);
  // The state asked for travels with the request: a refetch while the dialog is open cannot flip it.
  const toggle = useMutation({
    mutationFn: ({ active, confirmImmediate }: { active: boolean; confirmImmediate?: true }) =>
      alertsApi(api).update(a.id, { active, ...(confirmImmediate ? { confirmImmediate } : {}) }),
    onSuccess: () => {
      setWouldFire(null);
      done();
    },
    onError: (e, asked) => {
      if (e instanceof ApiError && e.code === 'TRIGGER_WOULD_FIRE_NOW' && !asked.confirmImmediate) return setWouldFire(e.message);
      setWouldFire(null);
      toast.show('error', 'Could not update', describeError(e));
    },
  });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useMutation({
    mutationFn: () => alertsApi(api).remove(a.id),
    onSuccess: () => {
      setConfirmDelete(false);
      done();
    },
    onError: (e) => toast.show('error', 'Could not delete', describeError(e)),
  });
  return (
    <tr>
      <td>
        <strong>{a.symbol}</strong> {a.condition} <span className="num">{formatPrice(a.targetPrice)}</span>
      </td>
      <td className="num hide-sm">{formatPrice(live)}</td>
      <td className="hide-sm small">
        {a.channels.map((c) => (c === 'in_app' ? 'in-app' : c)).join(', ')}
        {a.repeat ? ' · repeats' : ''}
      </td>
      <td className="small">{a.lastTriggeredAt ? `fired ${new Date(a.lastTriggeredAt).toLocaleString()}` : 'not yet'}</td>
      <td className="right">
        <span className="row" style={{ justifyContent: 'flex-end' }}>
          <button type="button" className="btn btn-sm" aria-pressed={a.active} onClick={() => toggle.mutate({ active: !a.active })} disabled={toggle.isPending}>
            {a.active ? 'On' : 'Off'}
          </button>
          <button
            type="button"
            className="btn btn-danger btn-sm"
            onClick={() => setConfirmDelete(true)}
            disabled={remove.isPending}
            aria-label={`Delete ${a.symbol} alert`}
          >
            Delete
          </button>
        </span>
        {wouldFire && (
          <ConfirmDialog
            title="This alert would fire at once"
            description={wouldFire}
            confirmLabel="Turn on anyway"
            busy={toggle.isPending}
            onConfirm={() => toggle.mutate({ active: true, confirmImmediate: true })}
            onCancel={() => setWouldFire(null)}
          />
        )}
        {confirmDelete && (
          <ConfirmDialog
            title="Delete this alert?"
            description={`${a.symbol} ${a.condition} ${formatPrice(a.targetPrice)}. This cannot be undone; you can turn it off instead.`}
            confirmLabel="Delete alert"
            tone="danger"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
            onCancel={() => setConfirmDelete(false)}
          />
        )}
      </td>
    </tr>
  );
}

export default function AlertsPage() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const assets = useAssets();
  const alerts = useAlerts();
  const [form, setForm] = useState({ assetId: 'bitcoin', condition: 'above', targetPrice: '', email: false, repeat: false });
  const [errors, setErrors] = useState<FieldErrors>({});
  /** An alert the price already satisfies: the server's warning, waiting for the user's answer. */
  const [immediate, setImmediate] = useState<{ body: RouteBody<typeof apiRoutes.alerts.create>; message: string } | null>(null);
  const create = useMutation({
    mutationFn: alertsApi(api).create,
    onSuccess: (a) => {
      setImmediate(null);
      toast.show('success', 'Alert created', `${a.symbol} ${a.condition} ${formatPrice(a.targetPrice)}`);
      setForm((f) => ({ ...f, targetPrice: '' }));
      void qc.invalidateQueries({ queryKey: qk.alerts });
    },
    onError: (e, body) => {
      if (e instanceof ApiError && e.code === 'TRIGGER_WOULD_FIRE_NOW' && !body.confirmImmediate) setImmediate({ body, message: e.message });
      else {
        setImmediate(null);
        setErrors(serverErrors(e, { LIMIT_EXCEEDED: '_form' }));
      }
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(createAlertRequest, {
      assetId: form.assetId,
      condition: form.condition,
      targetPrice: form.targetPrice.trim(),
      channels: form.email ? ['in_app', 'email'] : ['in_app'],
      repeat: form.repeat,
    });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    create.mutate(v.data);
  }

  return (
    <>
      {immediate && (
        <ConfirmDialog
          title="This alert would fire at once"
          description={immediate.message}
          confirmLabel="Create anyway"
          busy={create.isPending}
          onConfirm={() => create.mutate({ ...immediate.body, confirmImmediate: true })}
          onCancel={() => setImmediate(null)}
        />
      )}
      <div className="page-head">
        <h1>Price alerts</h1>
      </div>
      <div className="grid grid-main-side">
        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Your alerts</h2>
          <QueryState query={alerts} isEmpty={(d) => d.items.length === 0} empty="No alerts yet. Create one to hear when a price crosses a level.">
            {(d) => (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Alert</th>
                      <th scope="col" className="hide-sm">
                        Now
                      </th>
                      <th scope="col" className="hide-sm">
                        Channels
                      </th>
                      <th scope="col">Last fired</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((a) => (
                      <AlertRow key={a.id} a={a} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryState>
        </section>
        <section className="card" aria-labelledby="new-alert">
          <h2 id="new-alert">New alert</h2>
          <form className="form" onSubmit={submit} noValidate>
            <SelectField
              label="Asset"
              value={form.assetId}
              onChange={(v) => setForm((f) => ({ ...f, assetId: v }))}
              options={(assets.data?.items ?? [{ id: 'bitcoin', name: 'Bitcoin', symbol: 'BTC' }]).map((a) => ({
                value: a.id,
                label: `${a.name} (${a.symbol})`,
              }))}
              error={errors.assetId}
            />
            <SelectField
              label="When the price goes"
              value={form.condition}
              onChange={(v) => setForm((f) => ({ ...f, condition: v }))}
              options={[
                { value: 'above', label: 'Above' },
                { value: 'below', label: 'Below' },
              ]}
            />
            <Field
              label="Target price (USD)"
              inputMode="decimal"
              value={form.targetPrice}
              onChange={(e) => setForm((f) => ({ ...f, targetPrice: e.target.value }))}
              error={errors.targetPrice}
            />
            <label className="checkbox">
              <input type="checkbox" checked={form.email} onChange={(e) => setForm((f) => ({ ...f, email: e.target.checked }))} /> Also email me
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={form.repeat} onChange={(e) => setForm((f) => ({ ...f, repeat: e.target.checked }))} /> Repeat (at most hourly)
            </label>
            <FormError message={errors._form} />
            <button className="btn btn-primary" type="submit" disabled={create.isPending}>
              Create alert
            </button>
          </form>
        </section>
      </div>
    </>
  );
}
