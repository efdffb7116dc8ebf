import type { WithdrawalAddress } from '@cryptovault/contract';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { AuthCard, FormError } from '../auth/AuthCard.tsx';
import { securityApi, when } from './api.ts';

/** The confirmation link of a new address-book entry (a GET shows this page; the button confirms). */
export default function AddressConfirmPage() {
  const api = securityApi(useApi());
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [done, setDone] = useState<WithdrawalAddress | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      setDone(await api.confirmAddress(token));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <AuthCard title="Confirm a withdrawal address" footer={<Link to="/wallet?tab=withdraw">Wallet</Link>}>
      {done ? (
        <div className="alert alert-info" role="status" data-testid="address-confirmed">
          “{done.label}” ({done.asset}, {done.address}) is confirmed.{' '}
          {done.usable ? 'It can receive withdrawals now.' : `It can receive withdrawals from ${when(done.usableAt)}.`}
        </div>
      ) : (
        <div className="stack">
          <p>Confirm only if you added this address yourself. If you did not, use the “this wasn't me” link in the same email instead.</p>
          <FormError message={token ? error : 'This link is incomplete; use the whole link from the email.'} />
          <button type="button" className="btn btn-primary btn-block" disabled={busy || !token} onClick={() => void confirm()}>
            {busy ? 'Confirming…' : 'Confirm this address'}
          </button>
        </div>
      )}
    </AuthCard>
  );
}
