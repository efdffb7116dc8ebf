import { resetPasswordRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function ResetPage() {
  const api = authApi(useApi());
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(resetPasswordRequest, { token, newPassword: password });
    if (!v.ok) return setErrors(v.errors.token ? { _form: 'This reset link is incomplete; request a new one.' } : v.errors);
    if (password !== confirm) return setErrors({ confirm: 'The passwords do not match' });
    setBusy(true);
    try {
      await api.reset(v.data);
      setDone(true);
    } catch (err) {
      setErrors(serverErrors(err, { NOT_FOUND: '_form', INVALID_STATE: '_form' }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Choose a new password" footer={<Link to="/forgot-password">Request a new link</Link>}>
      {done ? (
        <div className="alert alert-info" role="status">
          Your password was changed and every session was signed out. <Link to="/login">Log in</Link> with the new password.
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.newPassword}
            hint="At least 10 characters."
          />
          <Field
            label="Repeat the new password"
            name="confirm"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={errors.confirm}
          />
          <FormError message={errors._form} />
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
