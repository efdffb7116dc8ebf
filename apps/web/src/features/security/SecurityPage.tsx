import type { SecurityEvent } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { describePasskeyError, passkeyRegistration, passkeysSupported } from '../../lib/passkeys.ts';
import { qk } from '../../shared/queryKeys.ts';
import { Field, FormError } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { TwoFactorCard } from '../settings/TwoFactorCard.tsx';
import { AddressBookCard } from './AddressBookCard.tsx';
import { AntiPhishingCard } from './AntiPhishingCard.tsx';
import { ApiKeysCard } from './ApiKeysCard.tsx';
import { securityApi, useBackupCodes, usePasskeys, useSecurityEvents, useSessions } from './api.ts';

/**
 * /security: sessions and devices, second factors (TOTP, passkeys, backup codes), the anti-phishing code, the
 * withdrawal address book, API keys and recent security events. Every
 * change that needs a step-up gets the StepUpDialog through the api client (403 STEP_UP_REQUIRED), then is retried.
 */
export default function SecurityPage() {
  return (
    <>
      <div className="page-head">
        <h1>Security</h1>
      </div>
      <div className="grid grid-2">
        <SessionsCard />
        <TwoFactorCard />
        <PasskeysCard />
        <BackupCodesCard />
        <AntiPhishingCard />
        <AddressBookCard />
        <ApiKeysCard />
        <SecurityEventsCard />
      </div>
    </>
  );
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

export function SessionsCard() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { logout } = useAuth();
  const sessions = useSessions();
  const refresh = () => void qc.invalidateQueries({ queryKey: qk.sessions });
  const revoke = useMutation({
    mutationFn: securityApi(api).revokeSession,
    onSuccess: () => {
      toast.show('success', 'Session revoked');
      refresh();
    },
    onError: (e) => toast.show('error', 'Could not revoke', describeError(e)),
  });
  const others = useMutation({
    mutationFn: securityApi(api).logoutOthers,
    onSuccess: () => {
      toast.show('success', 'Signed out everywhere else');
      refresh();
      void qc.invalidateQueries({ queryKey: qk.securityEvents });
    },
    onError: (e) => toast.show('error', 'Could not sign out the other sessions', describeError(e)),
  });
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="row-between">
        <h2 id="sessions-title">Sessions and devices</h2>
        <div className="row">
          <button type="button" className="btn btn-sm" onClick={() => others.mutate()} disabled={others.isPending}>
            Sign out other sessions
          </button>
          <button type="button" className="btn btn-danger btn-sm" onClick={() => void logout(true)}>
            Log out everywhere
          </button>
        </div>
      </div>
      <QueryState query={sessions} isEmpty={(d) => d.items.length === 0} empty="No sessions.">
        {(d) => (
          <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="sessions-list">
            {d.items.map((s) => (
              <li key={s.id} className="row-between">
                <span>
                  <strong>{s.device}</strong> {s.current && <span className="badge badge-ok">this device</span>}
                  <div className="small muted">
                    {s.ip ?? 'unknown IP'} · signed in {when(s.createdAt)} · last used {when(s.lastUsedAt)}
                  </div>
                </span>
                {!s.current && (
                  <button type="button" className="btn btn-sm" onClick={() => revoke.mutate(s.id)} disabled={revoke.isPending}>
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}

function BackupCodeList({ codes }: { codes: string[] }) {
  return (
    <div className="alert alert-warn stack" role="status">
      <strong>Save these backup codes now.</strong> Each works once instead of a code or a passkey; they will not be shown again.
      <div className="code-list" data-testid="new-backup-codes">
        {codes.map((c) => (
          <span key={c}>{c}</span>
        ))}
      </div>
    </div>
  );
}

export function PasskeysCard() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const list = usePasskeys();
  const changed = () => {
    for (const key of [qk.passkeys, qk.backupCodes, qk.sessions, qk.securityEvents]) void qc.invalidateQueries({ queryKey: key });
  };

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      // Both requests need a recent step-up with the password: the first one asks for it (StepUpDialog).
      const { options } = await securityApi(api).passkeyRegistrationOptions();
      const response = await passkeyRegistration(options);
      const r = await securityApi(api).registerPasskey({ ...(name.trim() ? { name: name.trim() } : {}), response });
      if (r.backupCodes) setCodes(r.backupCodes);
      setName('');
      toast.show('success', 'Passkey added', 'Every other session was signed out.');
      changed();
    } catch (err) {
      setError(describePasskeyError(err) ?? describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const remove = useMutation({
    mutationFn: securityApi(api).removePasskey,
    onSuccess: () => {
      toast.show('info', 'Passkey removed', 'Every other session was signed out.');
      changed();
    },
    onError: (e) => toast.show('error', 'Could not remove the passkey', describeError(e)),
  });

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="muted small">
        A passkey (your device's fingerprint, face or PIN, or a security key) can replace the authentication code after your password, and confirms withdrawals
        and transfers. It only works on this site, so a look-alike page cannot use it.
      </p>
      {codes && <BackupCodeList codes={codes} />}
      <div className="stack">
        <QueryState query={list} isEmpty={(d) => d.items.length === 0} empty="No passkeys yet.">
          {(d) => (
            <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="passkey-list">
              {d.items.map((p) => (
                <li key={p.id} className="row-between">
                  <span>
                    <strong>{p.name}</strong> {p.backedUp && <span className="badge">synced</span>}
                    <div className="small muted">
                      added {when(p.createdAt)} · last used {when(p.lastUsedAt)}
                    </div>
                  </span>
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => remove.mutate(p.id)}
                    disabled={remove.isPending}
                    aria-label={`Remove passkey ${p.name}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
        {passkeysSupported() ? (
          <form className="form" onSubmit={add} noValidate>
            <Field
              label="Passkey name (optional)"
              name="passkeyName"
              maxLength={64}
              value={name}
              onChange={(e) => setName(e.target.value)}
              hint="For example: Work laptop"
            />
            <FormError message={error} />
            <button className="btn btn-primary" type="submit" disabled={busy}>
              Add a passkey
            </button>
          </form>
        ) : (
          <p className="small muted">This browser cannot create passkeys.</p>
        )}
      </div>
    </section>
  );
}

export function BackupCodesCard() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const [codes, setCodes] = useState<string[] | null>(null);
  const status = useBackupCodes();
  const regenerate = useMutation({
    mutationFn: securityApi(api).regenerateBackupCodes,
    onSuccess: (r) => {
      setCodes(r.backupCodes);
      toast.show('success', 'New backup codes', 'The old ones no longer work.');
      void qc.invalidateQueries({ queryKey: qk.backupCodes });
      void qc.invalidateQueries({ queryKey: qk.securityEvents });
    },
    onError: (e) => toast.show('error', 'Could not create new backup codes', describeError(e)),
  });
  return (
    <section className="card" aria-labelledby="backup-title">
      <h2 id="backup-title">Backup codes</h2>
      {codes && <BackupCodeList codes={codes} />}
      <QueryState query={status}>
        {(d) =>
          d.available ? (
            <div className="stack">
              <p className="muted small">
                <strong data-testid="backup-remaining">{d.remaining}</strong> unused backup {d.remaining === 1 ? 'code' : 'codes'} left. Each works once if you
                lose your authenticator or passkey.
              </p>
              <button type="button" className="btn" onClick={() => regenerate.mutate()} disabled={regenerate.isPending}>
                Create new backup codes
              </button>
            </div>
          ) : (
            <p className="muted small">Backup codes come with two-factor authentication or a passkey.</p>
          )
        }
      </QueryState>
    </section>
  );
}

const EVENT_LABELS: Record<string, string> = {
  sign_in: 'Signed in',
  password_changed: 'Password changed',
  password_reset: 'Password reset',
  two_factor_enabled: 'Two-factor authentication turned on',
  two_factor_disabled: 'Two-factor authentication turned off',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  backup_codes_regenerated: 'New backup codes created',
  sessions_signed_out: 'Other sessions signed out',
  address_added: 'Withdrawal address added',
  address_confirmed: 'Withdrawal address confirmed',
  address_removed: 'Withdrawal address removed',
  address_book_only_on: '"Address book only" turned on',
  address_book_only_off_requested: '"Address book only" switch-off requested',
  anti_phishing_set: 'Anti-phishing code set',
  anti_phishing_cleared: 'Anti-phishing code removed',
  account_frozen: 'Account frozen',
  unfreeze_requested: 'Unfreeze link requested',
  account_unfrozen: 'Account unfrozen',
  api_key_created: 'API key created',
  api_key_revoked: 'API key revoked',
};

const METHOD_LABELS: Record<string, string> = {
  password: 'password',
  email_code: 'email code',
  totp: 'authenticator code',
  backup_code: 'backup code',
  passkey: 'passkey',
};

function eventDetail(e: SecurityEvent): string | null {
  const methods = e.details.methods;
  if (Array.isArray(methods)) return `with ${methods.map((m) => METHOD_LABELS[String(m)] ?? String(m)).join(' + ')}`;
  if (typeof e.details.name === 'string') return `“${e.details.name}”`;
  if (typeof e.details.label === 'string') return `“${e.details.label}”`;
  return null;
}

export function SecurityEventsCard() {
  const events = useSecurityEvents();
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Recent security events</h2>
      <QueryState query={events} isEmpty={(d) => d.items.length === 0} empty="Nothing yet.">
        {(d) => (
          <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="security-events">
            {d.items.map((e) => (
              <li key={e.id}>
                <strong>{EVENT_LABELS[e.kind] ?? e.kind}</strong> {eventDetail(e)}
                <div className="small muted">
                  {when(e.at)} · {e.device ?? 'unknown device'} · {e.ip ?? 'unknown IP'}
                </div>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}
