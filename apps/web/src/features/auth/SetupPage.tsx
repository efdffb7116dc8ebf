import { type SetupBeginResponse, setupCompleteRequest } from '@cryptovault/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { ApiError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { AuthenticatorKey } from '../../ui/AuthenticatorKey.tsx';
import { Field } from '../../ui/Field.tsx';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

/**
 * The first administrator, from the one-time link an embedded start prints (`/setup?token=...`): the account and
 * its two-factor authentication in one form. The backup codes are shown once at the end.
 */
export default function SetupPage() {
  const api = authApi(useApi());
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [offer, setOffer] = useState<SetupBeginResponse | null>(null);
  const [linkProblem, setLinkProblem] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', email: '', password: '', totpCode: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: begins once per token (api is rebuilt every render)
  useEffect(() => {
    if (!token) {
      setLinkProblem('This page needs the setup link the server printed when it started (/setup?token=…).');
      return;
    }
    api.setupBegin(token).then(setOffer, (err: unknown) => setLinkProblem(err instanceof ApiError ? err.message : 'The server could not be reached.'));
  }, [token]);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(setupCompleteRequest, { token, ...form });
    if (!v.ok) return setErrors(v.errors);
    setBusy(true);
    try {
      const done = await api.setupComplete(v.data);
      setBackupCodes(done.backupCodes);
    } catch (err) {
      setErrors(serverErrors(err, { NOT_FOUND: '_form', CONFLICT: '_form', INVALID_STATE: '_form', TOTP_INVALID: 'totpCode' }));
    } finally {
      setBusy(false);
    }
  }

  if (backupCodes) {
    return (
      <AuthCard title="Administrator created">
        <div className="alert alert-warn stack" role="status">
          <strong>Save these backup codes now.</strong> Each signs you in once if you lose the authenticator; they will not be shown again.
          <div className="code-list" data-testid="backup-codes">
            {backupCodes.map((c) => (
              <span key={c}>{c}</span>
            ))}
          </div>
        </div>
        <Link className="btn btn-primary btn-block" to={`/login?next=/admin`}>
          Log in as {form.email}
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Create the first administrator" footer={<Link to="/login">Log in instead</Link>}>
      {linkProblem ? (
        <FormError message={linkProblem} />
      ) : !offer ? (
        <p className="muted">Checking the setup link…</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <p className="small muted">
            This link works once, until {new Date(offer.expiresAt).toLocaleTimeString()}. Administrators always use two-factor authentication.
          </p>
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
            hint="At least 10 characters."
          />
          <AuthenticatorKey qrSvg={offer.qrSvg} secret={offer.secret} />
          <Field
            label="6-digit code"
            name="totpCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={form.totpCode}
            onChange={set('totpCode')}
            error={errors.totpCode}
          />
          <FormError message={errors._form} />
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create administrator'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
