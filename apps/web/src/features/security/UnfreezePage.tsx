import { unfreezeRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { AuthCard, FormError } from '../auth/AuthCard.tsx';
import { securityApi } from './api.ts';

/** The owner lifts a freeze: the emailed link, the password and the second factor (a code or a backup code). */
export default function UnfreezePage() {
  const api = securityApi(useApi());
  const { refreshUser } = useAuth();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [form, setForm] = useState({ password: '', code: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const code = form.code.trim();
    const body = { token, password: form.password, ...(code ? (/^\d{6}$/.test(code) ? { totpCode: code } : { backupCode: code }) : {}) };
    const v = validate(unfreezeRequest, body);
    if (!v.ok) return setErrors(v.errors.token ? { _form: 'This unfreeze link is incomplete; use the whole link from the email.' } : v.errors);
    setErrors({});
    setBusy(true);
    try {
      await api.unfreeze(v.data);
      setDone(true);
      await refreshUser().catch(() => undefined);
    } catch (err) {
      setErrors(serverErrors(err, { UNAUTHENTICATED: 'password', TOTP_REQUIRED: 'code', TOTP_INVALID: 'code' }));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard title="Unfreeze your account" footer={<Link to="/login">Log in</Link>}>
      {done ? (
        <div className="alert alert-info" role="status" data-testid="unfrozen">
          Your account is unfrozen: withdrawals and transfers work again.
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={form.password}
            onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))}
            error={errors.password}
          />
          <Field
            label="Authentication code or backup code"
            name="code"
            autoComplete="one-time-code"
            value={form.code}
            onChange={(e) => setForm((f) => ({ ...f, code: e.target.value }))}
            error={errors.code}
            hint="Leave empty if your account has no two-factor authentication."
          />
          <FormError message={errors._form ?? errors.token} />
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Unfreeze my account'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
