import { verifyEmailRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field } from '../../ui/Field.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { authApi } from './api.ts';
import { AuthCard, FormError } from './AuthCard.tsx';

export default function VerifyPage() {
  const api = authApi(useApi());
  const [params] = useSearchParams();
  const { signedIn } = useAuth();
  const toast = useToast();
  const navigate = useNavigate();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(verifyEmailRequest, { email, code });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setBusy(true);
    try {
      const r = await api.verify(v.data);
      signedIn(r.user);
      toast.show('success', 'Email verified', 'Welcome to CryptoVault!');
      navigate('/dashboard');
    } catch (err) {
      setErrors(serverErrors(err, { VALIDATION_ERROR: 'code', NOT_FOUND: 'code', INVALID_STATE: 'code' }));
    } finally {
      setBusy(false);
    }
  }

  async function resend() {
    try {
      await api.resend(email);
      toast.show('info', 'If the address is waiting for verification, a new code is on its way.');
    } catch (err) {
      setErrors(serverErrors(err));
    }
  }

  return (
    <AuthCard title="Verify your email">
      <p className="muted">We sent a 6-digit code to {email || 'your email address'}. It expires in a few minutes.</p>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
        <Field
          label="Verification code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={errors.code}
        />
        <FormError message={errors._form} />
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Verifying…' : 'Verify and continue'}
        </button>
        <button className="btn btn-ghost btn-block" type="button" onClick={() => void resend()} disabled={!email}>
          Send a new code
        </button>
      </form>
    </AuthCard>
  );
}
