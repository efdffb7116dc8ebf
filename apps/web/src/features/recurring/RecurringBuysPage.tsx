import {
  describeCalendar,
  MAX_RECURRING_BUYS,
  nextOccurrences,
  type RecurringBuy,
  type RecurringBuyRun,
  type RecurringCalendar,
  recurringBuyRequest,
  WEEKDAY_NAMES,
} from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatAmount, formatPrice, formatUsd } from '../../lib/money.ts';
import { useTradingPairs } from '../../shared/market.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, FormError, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { type RecurringBuyBody, recurringApi, useRecurringBuys, useRecurringRuns } from './api.ts';

const utc = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
const local = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Mon, 7 Dec 2026, 09:30 UTC (10:30 your time)"; the local part only where the browser is not on UTC. */
export function when(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const base = `${utc.format(d)} UTC`;
  return d.getTimezoneOffset() === 0 ? base : `${base} (${local.format(d)} your time)`;
}

interface FormState {
  assetId: string;
  quoteAmount: string;
  frequency: 'daily' | 'weekly' | 'monthly';
  timeOfDay: string;
  weekday: string;
  dayOfMonth: string;
}

const EMPTY: FormState = { assetId: 'bitcoin', quoteAmount: '', frequency: 'weekly', timeOfDay: '09:00', weekday: '1', dayOfMonth: '1' };

function toBody(f: FormState): Record<string, unknown> {
  return {
    assetId: f.assetId,
    quoteAmount: f.quoteAmount.trim(),
    frequency: f.frequency,
    timeOfDay: f.timeOfDay,
    weekday: f.frequency === 'weekly' ? Number(f.weekday) : undefined,
    dayOfMonth: f.frequency === 'monthly' ? Number(f.dayOfMonth) : undefined,
  };
}

function fromSchedule(s: RecurringBuy): FormState {
  return {
    assetId: s.assetId,
    quoteAmount: s.quoteAmount,
    frequency: s.frequency,
    timeOfDay: s.timeOfDay,
    weekday: String(s.weekday ?? 1),
    dayOfMonth: String(s.dayOfMonth ?? 1),
  };
}

const calendarOf = (f: FormState): RecurringCalendar => ({
  frequency: f.frequency,
  timeOfDay: f.timeOfDay,
  weekday: Number(f.weekday),
  dayOfMonth: Number(f.dayOfMonth),
});

/** "$25.00 of BTC every Monday at 09:00 UTC" */
const summary = (s: Pick<RecurringBuy, 'quoteAmount' | 'base'> & RecurringCalendar) => `${formatUsd(s.quoteAmount)} of ${s.base} ${describeCalendar(s)}`;

function RunStatus({ run }: { run: RecurringBuyRun }) {
  if (run.status === 'filled') return <span className="badge badge-ok">Bought</span>;
  if (run.status === 'pending') return <span className="badge badge-info">In progress</span>;
  return <span className="badge badge-warn">Skipped</span>;
}

function RunHistory({ schedule }: { schedule: RecurringBuy }) {
  const runs = useRecurringRuns(schedule.id);
  return (
    <section className="card recurring-history" aria-labelledby="run-history">
      <h2 id="run-history">History: {summary(schedule)}</h2>
      <QueryState query={runs} isEmpty={(d) => d.items.length === 0} empty="No runs yet. The first one is shown here once it is due.">
        {(d) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Spent
                  </th>
                  <th scope="col" className="num hide-sm">
                    Received
                  </th>
                  <th scope="col" className="num hide-sm">
                    Price
                  </th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((run) => (
                  <tr key={run.id}>
                    <td className="small">{when(run.period)}</td>
                    <td>
                      <RunStatus run={run} />
                    </td>
                    <td className="num">{formatUsd(run.quoteAmount)}</td>
                    <td className="num hide-sm">{run.amount ? formatAmount(run.amount, schedule.base, { withSymbol: true }) : '—'}</td>
                    <td className="num hide-sm">{run.price ? formatPrice(run.price) : '—'}</td>
                    <td className="small">
                      {run.orderId ? <Link to={`/orders/${run.orderId}`}>View order</Link> : run.reason ? <span>Not bought: {run.reason}</span> : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}

type Pending = { kind: 'pause' | 'resume' | 'delete'; schedule: RecurringBuy };

function ScheduleRow({
  s,
  selected,
  onSelect,
  onEdit,
  onAct,
}: {
  s: RecurringBuy;
  selected: boolean;
  onSelect: () => void;
  onEdit: () => void;
  onAct: (p: Pending) => void;
}) {
  const paused = s.status === 'paused';
  return (
    <li className={`recurring-item${selected ? ' is-selected' : ''}`} data-testid="recurring-item">
      <div className="row-between recurring-head">
        <strong>
          {formatUsd(s.quoteAmount)} of {s.base}
        </strong>
        {paused ? <span className="badge badge-warn">Paused</span> : <span className="badge badge-ok">Active</span>}
      </div>
      <div className="muted small">{describeCalendar(s)}</div>
      <div className="small">{paused ? 'Paused: no runs until you resume it.' : s.nextRunAt ? `Next: ${when(s.nextRunAt)}` : ''}</div>
      {s.lastRun && (
        <div className="small muted">
          Last: {when(s.lastRun.period)} —{' '}
          {s.lastRun.status === 'filled' ? 'bought' : s.lastRun.status === 'pending' ? 'in progress' : `skipped (${s.lastRun.reason})`}
        </div>
      )}
      <div className="recurring-actions">
        <button type="button" className="btn btn-sm" aria-pressed={selected} onClick={onSelect}>
          History
        </button>
        <button type="button" className="btn btn-sm" onClick={onEdit} aria-label={`Edit ${s.base} recurring buy`}>
          Edit
        </button>
        <button type="button" className="btn btn-sm" onClick={() => onAct({ kind: paused ? 'resume' : 'pause', schedule: s })}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="btn btn-danger btn-sm"
          onClick={() => onAct({ kind: 'delete', schedule: s })}
          aria-label={`Delete ${s.base} recurring buy`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

export default function RecurringBuysPage() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const pairs = useTradingPairs();
  const list = useRecurringBuys();
  const [form, setForm] = useState<FormState>(EMPTY);
  const [editing, setEditing] = useState<RecurringBuy | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [review, setReview] = useState<RecurringBuyBody | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: qk.recurringBuys });

  const save = useMutation({
    mutationFn: (body: RecurringBuyBody) => (editing ? recurringApi(api).update(editing.id, body) : recurringApi(api).create(body)),
    onSuccess: (s) => {
      toast.show('success', editing ? 'Recurring buy updated' : 'Recurring buy created', summary(s));
      setReview(null);
      setEditing(null);
      setForm(EMPTY);
      refresh();
    },
    onError: (e) => {
      setReview(null);
      setErrors(serverErrors(e, { LIMIT_EXCEEDED: '_form', MIN_AMOUNT: 'quoteAmount' }));
    },
  });
  const act = useMutation({
    mutationFn: async (p: Pending) => {
      const r = recurringApi(api);
      if (p.kind === 'delete') await r.remove(p.schedule.id);
      else if (p.kind === 'pause') await r.pause(p.schedule.id);
      else await r.resume(p.schedule.id);
      return p;
    },
    onSuccess: (p) => {
      setPending(null);
      if (p.kind === 'delete' && selected === p.schedule.id) setSelected(null);
      if (p.kind === 'delete' && editing?.id === p.schedule.id) {
        setEditing(null);
        setForm(EMPTY);
      }
      toast.show(
        'success',
        p.kind === 'delete' ? 'Recurring buy deleted' : p.kind === 'pause' ? 'Recurring buy paused' : 'Recurring buy resumed',
        summary(p.schedule),
      );
      refresh();
    },
    onError: (e) => {
      setPending(null);
      toast.show('error', 'Could not change the recurring buy', describeError(e));
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(recurringBuyRequest, toBody(form));
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setReview(v.data);
  }

  const base = pairs.data?.find((p) => p.assetId === form.assetId)?.base ?? form.assetId.toUpperCase();
  const calendar = calendarOf(form);
  const validTime = /^([01]\d|2[0-3]):[0-5]\d$/.test(form.timeOfDay);
  const preview = validTime ? nextOccurrences(calendar, new Date(), 3) : [];
  const amountOk = /^\d+(\.\d{1,2})?$/.test(form.quoteAmount.trim());
  const items = list.data?.items ?? [];
  const chosen = items.find((s) => s.id === selected) ?? null;

  return (
    <>
      {review && (
        <ConfirmDialog
          title={editing ? 'Save this recurring buy?' : 'Start this recurring buy?'}
          description="Each run is a market order at the price of the moment, paid from your USD balance (fee included). A run without enough USD, or while prices are stale, is skipped and you are told; it is not retried."
          rows={[
            { label: 'Buy', value: base },
            { label: 'Each time', value: formatUsd(review.quoteAmount), strong: true },
            { label: 'When', value: describeCalendar(calendar) },
            { label: 'First run', value: preview[0] ? when(preview[0]) : '—', testId: 'first-run' },
          ]}
          confirmLabel={editing ? 'Save changes' : 'Start recurring buy'}
          tone="buy"
          busy={save.isPending}
          onConfirm={() => save.mutate(review)}
          onCancel={() => setReview(null)}
        />
      )}
      {pending && (
        <ConfirmDialog
          title={
            pending.kind === 'delete' ? 'Delete this recurring buy?' : pending.kind === 'pause' ? 'Pause this recurring buy?' : 'Resume this recurring buy?'
          }
          description={
            pending.kind === 'delete'
              ? `${summary(pending.schedule)}. No more runs; the orders it placed stay in your history. This cannot be undone; you can pause it instead.`
              : pending.kind === 'pause'
                ? `${summary(pending.schedule)}. No runs until you resume it; the runs missed meanwhile are not made up.`
                : `${summary(pending.schedule)}. It runs again from the next scheduled time; the runs missed while paused are not made up.`
          }
          confirmLabel={pending.kind === 'delete' ? 'Delete recurring buy' : pending.kind === 'pause' ? 'Pause' : 'Resume'}
          tone={pending.kind === 'delete' ? 'danger' : 'primary'}
          busy={act.isPending}
          onConfirm={() => act.mutate(pending)}
          onCancel={() => setPending(null)}
        />
      )}
      <div className="page-head">
        <h1>Recurring buys</h1>
        <Link to="/trade" className="btn btn-sm">
          Back to trade
        </Link>
      </div>
      <p className="muted recurring-intro">
        Buy a fixed USD amount of an asset every day, week or month, whatever the price (dollar-cost averaging). Times are in UTC. At most {MAX_RECURRING_BUYS}{' '}
        per account.
      </p>
      <div className="grid grid-main-side">
        <section className="card" aria-labelledby="recurring-title">
          <h2 id="recurring-title">Your recurring buys</h2>
          <QueryState query={list} isEmpty={(d) => d.items.length === 0} empty="No recurring buys yet. Create one to buy on a schedule.">
            {(d) => (
              <ul className="recurring-list">
                {d.items.map((s) => (
                  <ScheduleRow
                    key={s.id}
                    s={s}
                    selected={s.id === selected}
                    onSelect={() => setSelected(s.id === selected ? null : s.id)}
                    onEdit={() => {
                      setEditing(s);
                      setForm(fromSchedule(s));
                      setErrors({});
                      document.getElementById('recurring-form')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
                    }}
                    onAct={setPending}
                  />
                ))}
              </ul>
            )}
          </QueryState>
        </section>
        <section className="card" aria-labelledby="recurring-form-title" id="recurring-form">
          <h2 id="recurring-form-title">{editing ? `Edit: ${summary(editing)}` : 'New recurring buy'}</h2>
          <form className="form" onSubmit={submit} noValidate>
            <SelectField
              label="Asset"
              name="assetId"
              value={form.assetId}
              onChange={(v) => setForm((f) => ({ ...f, assetId: v }))}
              options={(pairs.data ?? [{ assetId: 'bitcoin', base: 'BTC', symbol: 'BTC/USD' }]).map((p) => ({ value: p.assetId, label: p.base }))}
              error={errors.assetId}
            />
            <Field
              label="Amount each time (USD, fee included)"
              name="quoteAmount"
              inputMode="decimal"
              placeholder="25.00"
              value={form.quoteAmount}
              onChange={(e) => setForm((f) => ({ ...f, quoteAmount: e.target.value }))}
              error={errors.quoteAmount}
            />
            <SelectField
              label="How often"
              name="frequency"
              value={form.frequency}
              onChange={(v) => setForm((f) => ({ ...f, frequency: v as FormState['frequency'] }))}
              options={[
                { value: 'daily', label: 'Every day' },
                { value: 'weekly', label: 'Every week' },
                { value: 'monthly', label: 'Every month' },
              ]}
            />
            {form.frequency === 'weekly' && (
              <SelectField
                label="Day of the week"
                name="weekday"
                value={form.weekday}
                onChange={(v) => setForm((f) => ({ ...f, weekday: v }))}
                options={WEEKDAY_NAMES.map((n, i) => ({ value: String(i), label: n }))
                  .slice(1)
                  .concat({ value: '0', label: 'Sunday' })}
                error={errors.weekday}
              />
            )}
            {form.frequency === 'monthly' && (
              <SelectField
                label="Day of the month"
                name="dayOfMonth"
                value={form.dayOfMonth}
                onChange={(v) => setForm((f) => ({ ...f, dayOfMonth: v }))}
                options={Array.from({ length: 31 }, (_, i) => ({
                  value: String(i + 1),
                  label: i >= 28 ? `${i + 1} (or the month's last day)` : String(i + 1),
                }))}
                error={errors.dayOfMonth}
              />
            )}
            <Field
              label="Time (UTC)"
              name="timeOfDay"
              type="time"
              value={form.timeOfDay}
              onChange={(e) => setForm((f) => ({ ...f, timeOfDay: e.target.value }))}
              error={errors.timeOfDay}
            />
            <div className="recurring-preview" aria-live="polite" data-testid="recurring-preview">
              <p>
                {amountOk ? `Buys ${formatUsd(form.quoteAmount.trim())} of ${base}` : `Buys ${base}`} {describeCalendar(calendar)}.
              </p>
              {preview.length > 0 && (
                <>
                  <p className="muted small">Next runs:</p>
                  <ul className="small">
                    {preview.map((d) => (
                      <li key={d.toISOString()}>{when(d)}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
            <FormError message={errors._form} />
            <div className="row">
              <button className="btn btn-primary" type="submit" disabled={save.isPending}>
                {editing ? 'Review changes' : 'Review recurring buy'}
              </button>
              {editing && (
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setEditing(null);
                    setForm(EMPTY);
                    setErrors({});
                  }}
                >
                  Cancel edit
                </button>
              )}
            </div>
          </form>
        </section>
      </div>
      {chosen && <RunHistory schedule={chosen} />}
    </>
  );
}
