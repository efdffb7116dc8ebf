import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { StepUpRequiredDetails } from '../lib/apiClient.ts';
import { type FieldErrors, serverErrors } from '../lib/forms.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useServices } from './services.ts';

interface Pending {
  details: StepUpRequiredDetails;
  resolve: (ok: boolean) => void;
}

/**
 * Answers the API's 403 STEP_UP_REQUIRED for every form: the api client calls services.stepUp.handler, which
 * opens this dialog asking for what the server named (password, a 2FA or backup code, or both), POSTs
 * /api/auth/step-up through the same client and resolves true, so the client retries the original request once.
 * Cancel resolves false and the form shows the server's message.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const services = useServices();
  const [pending, setPending] = useState<Pending | null>(null);
  useEffect(() => {
    services.stepUp.handler = (details) => new Promise<boolean>((resolve) => setPending({ details, resolve }));
    return () => {
      services.stepUp.handler = async () => false;
    };
  }, [services]);
  return (
    <>
      {children}
      {pending && (
        <StepUpDialog
          details={pending.details}
          onDone={(ok) => {
            pending.resolve(ok);
            setPending(null);
          }}
        />
      )}
    </>
  );
}

export function StepUpDialog({ details, onDone }: { details: StepUpRequiredDetails; onDone: (ok: boolean) => void }) {
  const { api } = useServices();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const wantsPassword = details.methods.includes('password');
  const wantsCode = details.methods.includes('totp');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: FieldErrors = {};
    if (wantsPassword && !password) missing.password = 'Enter your password';
    const c = code.trim();
    if (wantsCode && !c) missing.code = 'Enter the code from your authenticator app, or a backup code';
    if (Object.keys(missing).length) return setErrors(missing);
    setBusy(true);
    try {
      const body = { ...(wantsPassword ? { password } : {}), ...(wantsCode ? (/^\d{6}$/.test(c) ? { totpCode: c } : { backupCode: c }) : {}) };
      await api.post('/api/auth/step-up', body);
      onDone(true);
    } catch (err) {
      const fe = serverErrors(err, { UNAUTHENTICATED: wantsPassword ? 'password' : '_form', TOTP_INVALID: 'code' });
      setErrors({ ...fe, ...(fe.totpCode || fe.backupCode ? { code: fe.totpCode ?? fe.backupCode } : {}) });
      setBusy(false);
    }
  }

  const minutes = Math.max(1, Math.round(details.ttlSeconds / 60));
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="stepup-title" onKeyDown={(e) => e.key === 'Escape' && onDone(false)}>
        <h2 id="stepup-title">Confirm it is you</h2>
        <p className="muted small">
          This action needs {wantsPassword && wantsCode ? 'your password and a two-factor code' : wantsCode ? 'a two-factor code' : 'your password'}. You will not
          be asked again on this device for {minutes} minutes.
        </p>
        <form className="form" onSubmit={submit} noValidate>
          {wantsPassword && (
            <Field autoFocus label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
          )}
          {wantsCode && (
            <Field
              autoFocus={!wantsPassword}
              label="Authentication code (or a backup code)"
              name="code"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={errors.code}
            />
          )}
          <FormError message={errors._form} />
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={busy}>
              Confirm
            </button>
            <button className="btn btn-ghost" type="button" onClick={() => onDone(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
