import { twoFactorEnableRequest } from '@cryptovault/contract';
import { type FormEvent, useState } from 'react';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { AuthenticatorKey } from '../../ui/AuthenticatorKey.tsx';
import { Field, FormError } from '../../ui/Field.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { settingsApi } from './api.ts';

interface Setup {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

export function TwoFactorCard() {
  const api = useApi();
  const toast = useToast();
  const { user, refreshUser } = useAuth();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function run(fn: () => Promise<void>, codes: Partial<Record<string, string>> = {}) {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      setErrors(serverErrors(e, { TOTP_INVALID: 'code', ...codes }));
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      setErrors({});
      setSetup(await settingsApi(api).twoFactorSetup());
    });

  function enable(e: FormEvent) {
    e.preventDefault();
    const v = validate(twoFactorEnableRequest, { code });
    if (!v.ok) return setErrors(v.errors);
    void run(async () => {
      const r = await settingsApi(api).twoFactorEnable(v.data);
      setBackupCodes(r.backupCodes);
      setSetup(null);
      setCode('');
      setErrors({});
      toast.show('success', 'Two-factor authentication is on');
      await refreshUser();
    });
  }

  // Setting up, turning on and turning off 2FA all need a recent step-up with the password (and the current code to
  // turn it off): the API answers STEP_UP_REQUIRED and the StepUpDialog asks for them, then the request is retried.
  function disable(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      await settingsApi(api).twoFactorDisable();
      setCode('');
      setErrors({});
      setBackupCodes(null);
      toast.show('info', 'Two-factor authentication is off');
      await refreshUser();
    });
  }

  return (
    <section className="card" aria-labelledby="twofa-title">
      <h2 id="twofa-title">Two-factor authentication</h2>
      <p className="muted small">
        Status: <strong data-testid="twofa-status">{user?.twoFactorEnabled ? 'On' : 'Off'}</strong>. With 2FA on, signing in, withdrawals and transfers need a
        code from an authenticator app.
      </p>
      {backupCodes && (
        <div className="alert alert-warn stack" role="status">
          <strong>Save these backup codes now.</strong> Each works once if you lose your phone; they will not be shown again.
          <div className="code-list" data-testid="backup-codes">
            {backupCodes.map((c) => (
              <span key={c}>{c}</span>
            ))}
          </div>
        </div>
      )}
      {!user?.twoFactorEnabled && !setup && (
        <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={busy}>
          Set up 2FA
        </button>
      )}
      {setup && (
        <form className="form" onSubmit={enable} noValidate>
          <AuthenticatorKey qrSvg={setup.qrSvg} secret={setup.secret} />
          <Field
            label="6-digit code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.code}
          />
          <FormError message={errors._form} />
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={busy}>
              Turn on 2FA
            </button>
            <button className="btn btn-ghost" type="button" onClick={() => setSetup(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {user?.twoFactorEnabled && (
        <form className="form" onSubmit={disable} noValidate>
          <p className="small muted">You will be asked for your password and a code (or a backup code).</p>
          <FormError message={errors._form} />
          <button className="btn btn-danger" type="submit" disabled={busy}>
            Turn off 2FA
          </button>
        </form>
      )}
    </section>
  );
}
