import { loginRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { ApiError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { describePasskeyError, passkeyAssertion, passkeysSupported } from '../../lib/passkeys.ts';
import { authApi, safeNext } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function LoginPage() {
  const api = authApi(useApi());
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  // What the server said the account has (403 TOTP_REQUIRED details): 'totp' and/or 'passkey', and passkey options.
  const [factors, setFactors] = useState<{ methods: string[]; passkey?: unknown }>({ methods: ['totp'] });
  const [unverified, setUnverified] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(loginRequest, { email, password, ...(needsCode ? { totpCode } : {}) });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setBusy(true);
    try {
      const r = await api.login(v.data);
      signedIn(r.user);
      navigate(safeNext(params.get('next')));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'TOTP_REQUIRED') {
        setNeedsCode(true);
        setFactors(secondFactors(err.details));
        setErrors({});
      } else if (err instanceof ApiError && err.code === 'EMAIL_NOT_VERIFIED') {
        setUnverified(true);
        setErrors({ _form: err.message });
      } else {
        setErrors(serverErrors(err, { TOTP_INVALID: 'totpCode' }));
      }
    } finally {
      setBusy(false);
    }
  }

  /** Signs in with the passkey for the options the server gave; a refused answer fetches fresh options. */
  async function signInWithPasskey() {
    setErrors({});
    setBusy(true);
    try {
      const passkey = await passkeyAssertion(factors.passkey);
      const r = await api.login({ email, password, passkey });
      signedIn(r.user);
      navigate(safeNext(params.get('next')));
    } catch (err) {
      setErrors({ _form: describePasskeyError(err) ?? serverErrors(err)._form ?? 'The passkey could not be used' });
      // The options were used up (or never reached the passkey): ask again for new ones.
      try {
        await api.login({ email, password });
      } catch (again) {
        if (again instanceof ApiError && again.code === 'TOTP_REQUIRED') setFactors(secondFactors(again.details));
      }
    } finally {
      setBusy(false);
    }
  }

  const hasTotp = factors.methods.includes('totp');
  const hasPasskey = factors.methods.includes('passkey') && factors.passkey !== undefined && passkeysSupported();

  return (
    <AuthCard
      title={needsCode ? 'Two-factor authentication' : 'Log in'}
      footer={
        <>
          New here? <Link to="/signup">Create an account</Link> · <Link to="/forgot-password">Forgot password?</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        {needsCode ? (
          <>
            {hasPasskey && (
              <button type="button" className="btn btn-primary btn-block" onClick={() => void signInWithPasskey()} disabled={busy}>
                Use your passkey
              </button>
            )}
            <p className="muted">
              {hasTotp ? 'Enter the 6-digit code from your authenticator app, or one of your backup codes.' : 'Or enter one of your backup codes.'}
            </p>
            <Field
              label={hasTotp ? 'Authentication code' : 'Backup code'}
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              autoFocus
              value={totpCode}
              onChange={(e) => setTotpCode(e.target.value)}
              error={errors.totpCode}
            />
          </>
        ) : (
          <>
            <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
            />
          </>
        )}
        <FormError message={errors._form} />
        {unverified && (
          <p>
            <Link to={`/verify?email=${encodeURIComponent(email)}`}>Verify your email</Link>
          </p>
        )}
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Checking…' : needsCode ? 'Verify code' : 'Log in'}
        </button>
        {needsCode && (
          <button
            type="button"
            className="btn btn-ghost btn-block"
            onClick={() => {
              setNeedsCode(false);
              setTotpCode('');
            }}
          >
            Back
          </button>
        )}
      </form>
    </AuthCard>
  );
}

function secondFactors(details: unknown): { methods: string[]; passkey?: unknown } {
  const d = (typeof details === 'object' && details !== null ? details : {}) as { methods?: unknown; passkey?: unknown };
  const methods = Array.isArray(d.methods) ? d.methods.filter((m): m is string => typeof m === 'string') : ['totp'];
  return { methods: methods.length ? methods : ['totp'], ...(d.passkey !== undefined ? { passkey: d.passkey } : {}) };
}
