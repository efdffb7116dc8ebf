import { announcementRequest, apiRoutes } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { type FieldErrors, validate } from '../../lib/forms.ts';
import { formatAmount } from '../../lib/money.ts';
import { Field, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { AdjustmentsPanel } from './AdjustmentsPanel.tsx';
import { DepositsPanel, OverviewPanel, UsersPanel, WithdrawalsPanel } from './AdminPanels.tsx';
import { RolesPanel } from './RolesPanel.tsx';
import { useMayCall } from './roles.ts';
import { AdminLegalPanel } from '../legal/AdminLegalPanel.tsx';
import { SupportPanel } from './SupportPanel.tsx';
import { useAdminAction, useAudit, useReconciliation } from './api.ts';
import { KycPanel } from './KycPanel.tsx';
import { TelegramPanel } from './TelegramPanel.tsx';

function ReconciliationPanel() {
  const r = useReconciliation();
  return (
    <QueryState query={r}>
      {(d) => (
        <div className="stack">
          <div className={`alert ${d.ok ? 'alert-info' : 'alert-error'}`} role="status">
            {d.ok ? 'The books balance: zero drift on every asset.' : 'Drift detected: investigate before approving payouts.'} Checked{' '}
            {new Date(d.checkedAt).toLocaleString()}.
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Asset</th>
                  <th scope="col" className="right">
                    Users
                  </th>
                  <th scope="col" className="right hide-sm">
                    Platform
                  </th>
                  <th scope="col" className="right">
                    Drift
                  </th>
                  <th scope="col" className="right hide-sm">
                    Mismatched accounts
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((i) => (
                  <tr key={i.asset}>
                    <td>{i.asset}</td>
                    <td className="right num">{formatAmount(i.usersTotal, i.asset, { withSymbol: false })}</td>
                    <td className="right num hide-sm">{formatAmount(i.platformTotal, i.asset, { withSymbol: false })}</td>
                    <td className={`right num ${/[1-9]/.test(i.drift) ? 'down' : ''}`}>{i.drift}</td>
                    <td className="right num hide-sm">{i.mismatchedAccounts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </QueryState>
  );
}

function AuditPanel() {
  const audit = useAudit();
  return (
    <QueryState query={audit} isEmpty={(d) => d.items.length === 0} empty="No admin actions yet.">
      {(d) => (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col" className="hide-sm">
                  Actor
                </th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((e) => (
                <tr key={e.id}>
                  <td className="small">{new Date(e.createdAt).toLocaleString()}</td>
                  <td>{e.action}</td>
                  <td className="small break">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</td>
                  <td className="small muted hide-sm break">{e.actorId ?? 'system'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </QueryState>
  );
}

function AnnouncementPanel() {
  const [form, setForm] = useState({ title: '', message: '', level: 'info' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const send = useAdminAction('Announcement sent to everyone online');
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(announcementRequest, form);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    send.mutate((admin) => admin.announce(v.data), { onSuccess: () => setForm({ title: '', message: '', level: 'info' }) });
  }
  return (
    <form className="form" onSubmit={submit} noValidate style={{ maxWidth: 560 }}>
      <Field label="Title" value={form.title} onChange={(e) => setForm((f) => ({ ...f, title: e.target.value }))} error={errors.title} />
      <div className="field">
        <label htmlFor="announcement-message">Message</label>
        <textarea
          id="announcement-message"
          className="input"
          rows={4}
          value={form.message}
          onChange={(e) => setForm((f) => ({ ...f, message: e.target.value }))}
        />
        {errors.message && <span className="field-error">{errors.message}</span>}
      </div>
      <SelectField
        label="Level"
        value={form.level}
        onChange={(v) => setForm((f) => ({ ...f, level: v }))}
        options={['info', 'warning', 'critical'].map((l) => ({ value: l, label: l }))}
      />
      <button className="btn btn-primary" type="submit" disabled={send.isPending}>
        Broadcast
      </button>
    </form>
  );
}

/** Each section shows only to operators whose roles allow its main route (`route`, from the contract's table). */
const SECTIONS = [
  { path: '', label: 'Overview', el: <OverviewPanel />, route: apiRoutes.admin.stats },
  { path: 'users', label: 'Users', el: <UsersPanel />, route: apiRoutes.admin.users },
  { path: 'withdrawals', label: 'Withdrawals', el: <WithdrawalsPanel />, route: apiRoutes.admin.withdrawals },
  { path: 'deposits', label: 'Deposits', el: <DepositsPanel />, route: apiRoutes.admin.deposits },
  { path: 'kyc', label: 'KYC', el: <KycPanel />, route: apiRoutes.kyc.queue },
  { path: 'adjustments', label: 'Adjustments', el: <AdjustmentsPanel />, route: apiRoutes.operators.adjustments },
  { path: 'support', label: 'Support', el: <SupportPanel />, route: apiRoutes.support.queue },
  { path: 'reconciliation', label: 'Reconciliation', el: <ReconciliationPanel />, route: apiRoutes.admin.reconciliation },
  { path: 'audit', label: 'Audit log', el: <AuditPanel />, route: apiRoutes.admin.audit },
  { path: 'announcement', label: 'Announcement', el: <AnnouncementPanel />, route: apiRoutes.admin.announce },
  { path: 'legal', label: 'Legal documents', el: <AdminLegalPanel />, route: apiRoutes.legal.adminList },
  { path: 'telegram', label: 'Telegram', el: <TelegramPanel />, route: apiRoutes.telegram.status },
  { path: 'roles', label: 'Roles', el: <RolesPanel />, route: apiRoutes.operators.list },
];

export default function AdminPage() {
  const may = useMayCall();
  const sections = SECTIONS.filter((s) => may(s.route));
  return (
    <>
      <div className="page-head">
        <h1>Admin console</h1>
      </div>
      <nav className="tabs tabs-wrap" aria-label="Admin sections">
        {sections.map((s) => (
          <NavLink key={s.path} to={`/admin${s.path ? `/${s.path}` : ''}`} end>
            {s.label}
          </NavLink>
        ))}
      </nav>
      {sections.length === 0 && <p className="muted">Your account holds no operator role: ask a superadmin.</p>}
      <Routes>{sections.map((s) => (s.path ? <Route key={s.path} path={s.path} element={s.el} /> : <Route key="index" index element={s.el} />))}</Routes>
    </>
  );
}
