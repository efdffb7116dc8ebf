import { emailOnlyRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function ForgotPage() {
  const api = authApi(useApi());
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(emailOnlyRequest, { email });
    if (!v.ok) return setErrors(v.errors);
    setBusy(true);
    try {
      await api.forgot(v.data.email);
      setSent(true);
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Reset your password" footer={<Link to="/login">Back to log in</Link>}>
      {sent ? (
        <div className="alert alert-info" role="status">
          If an account exists for {email}, we sent a link to reset its password. The link works once and expires soon.
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
          <FormError message={errors._form} />
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Email me a reset link'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
