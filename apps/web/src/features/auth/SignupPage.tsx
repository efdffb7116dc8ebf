import { signupRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { ApiError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { useCurrentDocuments } from '../legal/api.ts';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function SignupPage() {
  const api = authApi(useApi());
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [accepted, setAccepted] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  // The version of the terms the checkbox accepts: the one in force, which the sign-up must name.
  const legal = useCurrentDocuments();
  const termsVersion = legal.data?.items.find((d) => d.kind === 'terms')?.version;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(signupRequest, form);
    const problems: FieldErrors = v.ok ? {} : { ...v.errors };
    if (!accepted) problems.terms = 'Accept the Terms of Service to create an account.';
    else if (termsVersion === undefined) problems.terms = 'The Terms of Service could not be loaded; reload the page and try again.';
    if (!v.ok || Object.keys(problems).length) return setErrors(problems);
    setErrors({});
    setBusy(true);
    try {
      await api.signup({ ...v.data, termsVersion });
      navigate(`/verify?email=${encodeURIComponent(v.data.email)}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'COUNTRY_BLOCKED') return navigate('/restricted');
      if (err instanceof ApiError && err.code === 'TERMS_NOT_ACCEPTED') {
        // A new version was published while the form was open: show it and ask again.
        setAccepted(false);
        void legal.refetch();
        return setErrors({ terms: err.message });
      }
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
        <div className="field">
          <label className="checkbox-row" htmlFor="accept-terms">
            <input id="accept-terms" type="checkbox" checked={accepted} onChange={(e) => setAccepted(e.target.checked)} aria-describedby="accept-terms-help" />
            <span>
              I accept the{' '}
              <Link to="/legal/terms" target="_blank">
                Terms of Service
              </Link>
              {termsVersion !== undefined ? ` (version ${termsVersion})` : ''}
            </span>
          </label>
          <span id="accept-terms-help" className="muted small">
            Please also read our{' '}
            <Link to="/legal/privacy" target="_blank">
              Privacy Notice
            </Link>
            , the{' '}
            <Link to="/legal/risk" target="_blank">
              Risk Disclosure
            </Link>{' '}
            and our{' '}
            <Link to="/fees" target="_blank">
              Fees
            </Link>
            .
          </span>
          {errors.terms && (
            <span className="field-error" role="alert">
              {errors.terms}
            </span>
          )}
        </div>
        <FormError message={errors._form} />
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
    </AuthCard>
  );
}
