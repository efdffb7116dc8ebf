import { antiPhishingCode } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { qk } from '../../shared/queryKeys.ts';
import { Field, FormError, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { securityApi, useAntiPhishing } from './api.ts';

/** The code printed at the top of every email we send: an email without it is not from us. Changes ask for a step-up. */
export function AntiPhishingCard() {
  const api = securityApi(useApi());
  const qc = useQueryClient();
  const toast = useToast();
  const current = useAntiPhishing();
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (next: string | null) => api.setAntiPhishing(next),
    onSuccess: (s) => {
      toast.show('success', s.code ? 'Anti-phishing code saved' : 'Anti-phishing code removed', s.code ? 'Our emails now start with it.' : undefined);
      setCode('');
      qc.setQueryData(qk.antiPhishing, s);
    },
    onError: (e) => setErrors(serverErrors(e, { ACCOUNT_FROZEN: '_form' })),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(antiPhishingCode, code);
    if (!v.ok) return setErrors({ code: Object.values(v.errors)[0] ?? 'Invalid code' });
    setErrors({});
    save.mutate(v.data);
  }
  return (
    <section className="card" aria-labelledby="anti-phishing-title">
      <h2 id="anti-phishing-title">Anti-phishing code</h2>
      <QueryState query={current}>
        {(d) => (
          <div className="stack">
            <p className="small muted">Every email we send you starts with this code. An email that claims to be from CryptoVault without it is not from us.</p>
            <p data-testid="anti-phishing-current">
              {d.code ? (
                <>
                  Your code: <strong>{d.code}</strong>
                </>
              ) : (
                'No code set.'
              )}
            </p>
            <form className="form" onSubmit={submit} noValidate>
              <Field
                label={d.code ? 'New code' : 'Code'}
                name="anti-phishing-code"
                autoComplete="off"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                error={errors.code}
                hint="4 to 20 letters, digits, spaces, - or _."
              />
              <FormError message={errors._form} />
              <div className="row">
                <SubmitButton pending={save.isPending} label="Save code" pendingLabel="Saving…" />
                {d.code && (
                  <button type="button" className="btn" disabled={save.isPending} onClick={() => save.mutate(null)}>
                    Remove code
                  </button>
                )}
              </div>
            </form>
          </div>
        )}
      </QueryState>
    </section>
  );
}
