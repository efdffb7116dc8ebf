import { API_KEY_SCOPE_DESCRIPTIONS, API_KEY_SCOPES, type ApiKey, type ApiKeyScope, type CreatedApiKey, createApiKeyRequest } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { useApi } from '../../shared/services.ts';
import { qk } from '../../shared/queryKeys.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { securityApi, useApiKeys, when } from './api.ts';

const EXPIRY_OPTIONS = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (until revoked)' },
];

const SCOPE_LABELS: Record<ApiKeyScope, string> = { read: 'Read', trade: 'Trade' };
const STATUS_BADGE: Record<ApiKey['status'], string> = { active: 'badge badge-ok', expired: 'badge badge-warn', revoked: 'badge badge-bad' };

/** The IP allow-list as typed: one entry per line, or separated by commas or spaces. */
function entriesOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function CreateApiKeyForm({ onCreated }: { onCreated: (k: CreatedApiKey) => void }) {
  const api = securityApi(useApi());
  const qc = useQueryClient();
  const [label, setLabel] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  const [ips, setIps] = useState('');
  const [expiry, setExpiry] = useState('90');
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: api.createApiKey,
    onSuccess: (k) => {
      setLabel('');
      setIps('');
      setErrors({});
      onCreated(k);
      void qc.invalidateQueries({ queryKey: qk.apiKeys });
      void qc.invalidateQueries({ queryKey: qk.securityEvents });
    },
    onError: (e) => setErrors(serverErrors(e, { LIMIT_EXCEEDED: '_form', ACCOUNT_FROZEN: '_form' })),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const body = { label: label.trim(), scopes, ipAllowlist: entriesOf(ips), expiresInDays: expiry === 'never' ? null : Number(expiry) };
    const v = validate(createApiKeyRequest, body);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    create.mutate(body);
  }
  const toggle = (s: ApiKeyScope, on: boolean) => setScopes((cur) => API_KEY_SCOPES.filter((x) => (x === s ? on : cur.includes(x))));
  const ipError = Object.entries(errors).find(([k]) => k.startsWith('ipAllowlist'))?.[1];
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Create an API key">
      <Field
        label="Label"
        name="api-key-label"
        value={label}
        onChange={(e) => setLabel(e.target.value)}
        error={errors.label}
        hint="For you, e.g. “Rebalancing bot”."
      />
      <fieldset className="api-key-scopes">
        <legend>Scopes</legend>
        {API_KEY_SCOPES.map((s) => (
          <label key={s} className="api-key-scope">
            <input type="checkbox" name={`scope-${s}`} checked={scopes.includes(s)} onChange={(e) => toggle(s, e.target.checked)} />
            <span>
              <strong>{SCOPE_LABELS[s]}</strong> <span className="small muted">{API_KEY_SCOPE_DESCRIPTIONS[s]}</span>
            </span>
          </label>
        ))}
        {errors.scopes && <span className="field-error">{errors.scopes}</span>}
        <p className="small muted" data-testid="api-key-no-withdraw">
          No API key can withdraw, transfer funds, change security settings or create other keys, whatever its scopes.
        </p>
      </fieldset>
      <div className="field">
        <label htmlFor="api-key-ips">IP allow-list (optional)</label>
        <textarea
          id="api-key-ips"
          name="api-key-ips"
          className="input"
          rows={2}
          spellCheck={false}
          placeholder="203.0.113.7, 2001:db8::/32"
          value={ips}
          onChange={(e) => setIps(e.target.value)}
          aria-invalid={ipError ? true : undefined}
        />
        <span className="hint">Addresses or CIDR ranges, IPv4 or IPv6, one per line. Empty: any address.</span>
        {ipError && <span className="field-error">{ipError}</span>}
      </div>
      <SelectField label="Expires after" name="api-key-expiry" value={expiry} onChange={setExpiry} options={EXPIRY_OPTIONS} />
      <FormError message={errors._form} />
      <SubmitButton pending={create.isPending} label="Create API key" pendingLabel="Creating…" />
    </form>
  );
}

/** The new key's id and secret, shown once, with copy buttons. */
function NewKeySecret({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <div className="alert alert-warn stack" role="status" data-testid="api-key-secret">
      <strong>Copy the secret now: it will not be shown again.</strong>
      <div className="api-key-credential">
        <span className="small muted">Key id</span>
        <code className="break">{created.key.id}</code>
        <CopyButton text={created.key.id} label="Copy the key id" />
      </div>
      <div className="api-key-credential">
        <span className="small muted">Secret</span>
        <code className="break" data-testid="api-key-secret-value">
          {created.secret}
        </code>
        <CopyButton text={created.secret} label="Copy the secret" />
      </div>
      <p className="small">Sign each request with it as described in the API documentation (docs/api-keys.md). Lost it? Revoke the key and create another.</p>
      <div>
        <button type="button" className="btn btn-sm" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function KeyRow({ k, onRevoke }: { k: ApiKey; onRevoke: (k: ApiKey) => void }) {
  return (
    <li className="api-key-row" data-testid={`api-key-${k.id}`}>
      <div className="api-key-main">
        <div className="api-key-title">
          <strong>{k.label}</strong>
          <span className={STATUS_BADGE[k.status]}>{k.status}</span>
          {k.scopes.map((s) => (
            <span key={s} className="badge">
              {SCOPE_LABELS[s]}
            </span>
          ))}
        </div>
        <div className="small muted break">{k.id}</div>
        <div className="small muted">Last used: {k.lastUsedAt ? `${when(k.lastUsedAt)}${k.lastUsedIp ? ` from ${k.lastUsedIp}` : ''}` : 'never'}</div>
        <div className="small muted">
          Created {when(k.createdAt)} · {k.revokedAt ? `revoked ${when(k.revokedAt)}` : k.expiresAt ? `expires ${when(k.expiresAt)}` : 'does not expire'}
        </div>
        <div className="small muted break">IP allow-list: {k.ipAllowlist.length ? k.ipAllowlist.join(', ') : 'any address'}</div>
      </div>
      {k.status === 'active' && (
        <button type="button" className="btn btn-danger btn-sm" onClick={() => onRevoke(k)}>
          Revoke
        </button>
      )}
    </li>
  );
}

/**
 * API keys for the user's own programs (docs/api-keys.md): create (the server asks for a step-up; the api client
 * shows the StepUpDialog and retries), the secret shown once, the list with last use, revoke with a confirmation.
 */
export function ApiKeysCard() {
  const api = securityApi(useApi());
  const qc = useQueryClient();
  const toast = useToast();
  const keys = useApiKeys();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.revokeApiKey(id),
    onSuccess: (k) => {
      toast.show('success', 'API key revoked', `“${k.label}” no longer works.`);
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: qk.apiKeys });
      void qc.invalidateQueries({ queryKey: qk.securityEvents });
    },
  });
  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="small muted">For your own programs (trading bots, spreadsheets): they sign each request with the key’s secret.</p>
      {created && <NewKeySecret created={created} onDone={() => setCreated(null)} />}
      <QueryState query={keys}>
        {(d) => {
          const active = d.items.filter((k) => k.status === 'active').length;
          return (
            <div className="stack">
              {d.items.length === 0 ? (
                <p className="muted">No API keys yet.</p>
              ) : (
                <ul className="api-key-list">
                  {d.items.map((k) => (
                    <KeyRow key={k.id} k={k} onRevoke={setRevoking} />
                  ))}
                </ul>
              )}
              <p className="small muted">
                {active} of {d.maxActive} active keys.
              </p>
              <details>
                <summary>Create an API key</summary>
                <CreateApiKeyForm onCreated={setCreated} />
              </details>
            </div>
          );
        }}
      </QueryState>
      {revoking && (
        <ConfirmDialog
          title="Revoke this API key?"
          description={`Programs using “${revoking.label}” stop working at once. This cannot be undone.`}
          rows={[
            { label: 'Key', value: revoking.label },
            { label: 'Last used', value: revoking.lastUsedAt ? when(revoking.lastUsedAt) : 'never' },
          ]}
          confirmLabel="Revoke"
          tone="danger"
          busy={revoke.isPending}
          error={revoke.error ? describeError(revoke.error) : undefined}
          onConfirm={() => revoke.mutate(revoking.id)}
          onCancel={() => {
            revoke.reset();
            setRevoking(null);
          }}
        />
      )}
    </section>
  );
}
