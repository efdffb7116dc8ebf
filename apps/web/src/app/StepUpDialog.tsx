import { apiRoutes, type RouteBody, type WebauthnCredentialJson } from '@cryptovault/contract';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { StepUpRequiredDetails } from '../lib/apiClient.ts';
import { type FieldErrors, serverErrors } from '../lib/forms.ts';
import { describePasskeyError, passkeyAssertion, passkeysSupported } from '../lib/passkeys.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useServices } from '../shared/services.ts';
import { ModalLayer } from '../ui/ModalLayer.tsx';

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
  const wantsTotp = details.methods.includes('totp');
  const canPasskey = details.methods.includes('passkey') && passkeysSupported();
  // A passkey-only account can still answer with one of its backup codes.
  const wantsCode = wantsTotp || details.methods.includes('passkey');

  function passwordMissing(): boolean {
    if (wantsPassword && !password) {
      setErrors({ password: 'Enter your password' });
      return true;
    }
    return false;
  }

  async function send(body: RouteBody<typeof apiRoutes.auth.stepUp>) {
    setBusy(true);
    try {
      await api.call(apiRoutes.auth.stepUp, { body });
      onDone(true);
    } catch (err) {
      const fe = serverErrors(err, { UNAUTHENTICATED: wantsPassword ? 'password' : '_form', TOTP_INVALID: 'code', PASSKEY_INVALID: '_form' });
      setErrors({ ...fe, ...(fe.totpCode || fe.backupCode ? { code: fe.totpCode ?? fe.backupCode } : {}) });
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: FieldErrors = {};
    if (wantsPassword && !password) missing.password = 'Enter your password';
    const c = code.trim();
    if (wantsCode && !c) missing.code = wantsTotp ? 'Enter the code from your authenticator app, or a backup code' : 'Use your passkey, or enter a backup code';
    if (Object.keys(missing).length) return setErrors(missing);
    await send({ ...(wantsPassword ? { password } : {}), ...(wantsCode ? (/^\d{6}$/.test(c) ? { totpCode: c } : { backupCode: c }) : {}) });
  }

  async function confirmWithPasskey() {
    if (passwordMissing()) return;
    setErrors({});
    setBusy(true);
    let passkey: WebauthnCredentialJson;
    try {
      const r = await api.call(apiRoutes.auth.stepUpPasskeyOptions);
      passkey = await passkeyAssertion(r.options);
    } catch (err) {
      setErrors({ _form: describePasskeyError(err) ?? serverErrors(err)._form ?? 'The passkey could not be used' });
      setBusy(false);
      return;
    }
    await send({ ...(wantsPassword ? { password } : {}), passkey });
  }

  const factor = wantsTotp ? (canPasskey ? 'a two-factor code or your passkey' : 'a two-factor code') : 'your passkey';
  const minutes = Math.max(1, Math.round(details.ttlSeconds / 60));
  return (
    <ModalLayer>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="stepup-title"
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.stopPropagation();
          onDone(false);
        }}
      >
        <h2 id="stepup-title">Confirm it is you</h2>
        <p className="muted small">
          This action needs {wantsPassword && wantsCode ? `your password and ${factor}` : wantsCode ? factor : 'your password'}. You will not be asked again on
          this device for {minutes} minutes.
        </p>
        <form className="form" onSubmit={submit} noValidate>
          {wantsPassword && (
            <Field
              autoFocus
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
            />
          )}
          {canPasskey && (
            <button className="btn btn-primary" type="button" onClick={() => void confirmWithPasskey()} disabled={busy}>
              Use a passkey
            </button>
          )}
          {wantsCode && (
            <Field
              autoFocus={!wantsPassword && !canPasskey}
              label={wantsTotp ? 'Authentication code (or a backup code)' : 'Backup code'}
              name="code"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={errors.code}
            />
          )}
          <FormError message={errors._form} />
          <div className="row">
            <button className={canPasskey ? 'btn' : 'btn btn-primary'} type="submit" disabled={busy}>
              Confirm
            </button>
            <button className="btn btn-ghost" type="button" onClick={() => onDone(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </ModalLayer>
  );
}
