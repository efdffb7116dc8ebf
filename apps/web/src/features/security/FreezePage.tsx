import type { FreezeState } from '@cryptovault/contract';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { AuthCard, FormError } from '../auth/AuthCard.tsx';
import { securityApi } from './api.ts';

/**
 * "This wasn't me": the link in a security email opens this page (a GET changes nothing, so a mail scanner that
 * follows links cannot freeze the account); the button POSTs the token.
 */
export default function FreezePage() {
  const api = securityApi(useApi());
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [done, setDone] = useState<FreezeState | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  async function freeze() {
    setBusy(true);
    setError(undefined);
    try {
      setDone(await api.freeze(token));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard title="This wasn't me" footer={<Link to="/forgot-password">Reset your password</Link>}>
      {done ? (
        <div className="alert alert-info" role="status" data-testid="frozen">
          Your account is frozen. Every session was signed out, withdrawals waiting for review were canceled, and withdrawals, transfers and security changes
          are blocked. Next: <Link to="/forgot-password">reset your password</Link>. To lift the freeze, sign in and ask for an unfreeze link (you will need
          your email, password and second factor), or contact support.
        </div>
      ) : (
        <div className="stack">
          <p>Freeze your account if you did not make the change or sign-in that our email told you about. Freezing:</p>
          <ul>
            <li>signs out every session, on every device;</li>
            <li>cancels withdrawals that are waiting for review;</li>
            <li>blocks withdrawals, transfers and security changes until you (with your email, password and second factor) or support lift it.</li>
          </ul>
          <p className="small muted">Trading is not blocked: it cannot move money out of your account.</p>
          <FormError message={token ? error : 'This link is incomplete; use the whole link from the email.'} />
          <button type="button" className="btn btn-danger btn-block" disabled={busy || !token} onClick={() => void freeze()}>
            {busy ? 'Freezing…' : 'Freeze my account'}
          </button>
        </div>
      )}
    </AuthCard>
  );
}
