import { signupRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function SignupPage() {
  const api = authApi(useApi());
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(signupRequest, form);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setBusy(true);
    try {
      await api.signup(v.data);
      navigate(`/verify?email=${encodeURIComponent(v.data.email)}`);
    } catch (err) {
      setErrors(serverErrors(err, { CONFLICT: 'email' }));
    } finally {
      setBusy(false);
    }
  }

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Name" name="name" autoComplete="name" value={form.name} onChange={set('name')} error={errors.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          hint="At least 10 characters. Long passphrases are best."
        />
        <FormError message={errors._form} />
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
    </AuthCard>
  );
}
