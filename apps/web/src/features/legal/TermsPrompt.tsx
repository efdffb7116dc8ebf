import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { useAuth } from '../../shared/auth.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Markdown } from '../../ui/Markdown.tsx';
import { Loading } from '../../ui/states.tsx';
import { useAcceptTerms, useConsent, useLegalDocument } from './api.ts';

/**
 * After a new version of the terms is published, a signed-in user is asked to accept it (a dialog with the new
 * text). "Not now" leaves a banner: until they accept, deposits, orders and transfers answer TERMS_NOT_ACCEPTED;
 * reading, cancelling orders and withdrawing stay open. Mounted once, in the app's layout.
 */
export function TermsPrompt() {
  const { user } = useAuth();
  // Customers only: operators (created by admin:create or the setup link) act on the platform, not as its customers.
  const customer = user !== null && user.role === 'user';
  const consent = useConsent(customer);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const state = consent.data;
  if (!customer || !state?.required) return null;
  const open = dismissed !== state.currentVersion;
  return (
    <>
      <div className="alert alert-warn row-between" role="status" data-testid="terms-banner">
        <span>Our Terms of Service have changed. Accept version {state.currentVersion} to deposit, trade or transfer again; you can still withdraw.</span>
        <button type="button" className="btn btn-sm" onClick={() => setDismissed(null)}>
          Review and accept
        </button>
      </div>
      {open && <TermsDialog version={state.currentVersion} first={state.acceptedVersion === null} onClose={() => setDismissed(state.currentVersion)} />}
    </>
  );
}

function TermsDialog({ version, first, onClose }: { version: number; first: boolean; onClose: () => void }) {
  const doc = useLegalDocument('terms');
  const accept = useAcceptTerms();
  const body = doc.data?.document;
  return (
    <ConfirmDialog
      title={first ? 'Accept our Terms of Service' : 'Our Terms of Service have changed'}
      description={
        <>
          Please read version {version}
          {body ? `, in force since ${new Date(body.effectiveAt).toLocaleDateString()}` : ''}. You can also read it on its{' '}
          <Link to="/legal/terms" onClick={onClose}>
            own page
          </Link>
          , with earlier versions.
        </>
      }
      confirmLabel={`I accept version ${version}`}
      cancelLabel="Not now"
      busy={accept.isPending}
      confirmDisabled={!body || body.version !== version}
      error={accept.error ? describeError(accept.error) : undefined}
      onConfirm={() => accept.mutate(version)}
      onCancel={onClose}
    >
      <div className="terms-scroll" data-testid="terms-dialog-body">
        {body ? <Markdown source={body.body} className="markdown legal-body" /> : <Loading label="Loading the terms" />}
      </div>
    </ConfirmDialog>
  );
}
