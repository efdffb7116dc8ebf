import { useState } from 'react';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { securityApi } from './api.ts';

/** Shown on every page while the signed-in account is frozen, with the way to ask for the unfreeze link. */
export function FrozenBanner() {
  const { user } = useAuth();
  const api = securityApi(useApi());
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user?.frozen) return null;
  async function request() {
    setBusy(true);
    try {
      setSent((await api.requestUnfreeze()).message);
    } catch (err) {
      setSent(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="alert alert-error" role="alert" data-testid="frozen-banner">
      <strong>This account is frozen.</strong> Withdrawals, transfers and security changes are blocked.{' '}
      {sent ?? (
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void request()}>
          Email me an unfreeze link
        </button>
      )}
    </div>
  );
}
