import { contactRequest } from '@cryptovault/contract';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { Field, FormError } from '../../ui/Field.tsx';
import { supportApi } from './api.ts';

/** The public contact form: for people without an account (or who cannot sign in). Signed-in users get /support. */
export default function ContactPage() {
  const api = useApi();
  const { user } = useAuth();
  const [form, setForm] = useState({ name: '', email: '', subject: '', message: '', website: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const send = useMutation({
    mutationFn: (body: Parameters<ReturnType<typeof supportApi>['contact']>[0]) => supportApi(api).contact(body),
    onError: (e) => setErrors(serverErrors(e)),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(contactRequest, { ...form, website: form.website || undefined });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    send.mutate(v.data);
  }

  if (send.isSuccess) {
    return (
      <div className="auth-wrap">
        <div className="card stack" role="status">
          <h1>Message sent</h1>
          <p>
            Thank you. Your reference is <strong data-testid="contact-reference">{send.data.reference}</strong>; we answer by email to {form.email}, usually
            within one business day.
          </p>
          <p>
            <Link to="/">Back to the start</Link>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="auth-wrap">
      <form className="form card" onSubmit={submit} noValidate aria-labelledby="contact-title">
        <h1 id="contact-title">Contact us</h1>
        {user ? (
          <div className="alert alert-info">
            You are signed in: <Link to="/support">open a support request</Link> to follow the answer in your account.
          </div>
        ) : (
          <p className="small muted">
            Have an account? <Link to="/login">Log in</Link> and open a support request to follow it in your account.
          </p>
        )}
        <Field label="Your name" autoComplete="name" value={form.name} maxLength={100} onChange={set('name')} error={errors.name} />
        <Field label="Email" type="email" autoComplete="email" value={form.email} maxLength={254} onChange={set('email')} error={errors.email} />
        <Field label="Subject" value={form.subject} maxLength={150} onChange={set('subject')} error={errors.subject} />
        <div className="field">
          <label htmlFor="contact-message">Message</label>
          <textarea
            id="contact-message"
            className="input"
            rows={6}
            maxLength={5000}
            value={form.message}
            aria-invalid={errors.message ? true : undefined}
            onChange={set('message')}
          />
          {errors.message && <span className="field-error">{errors.message}</span>}
          <span className="hint">Never send your password, 2FA codes or backup codes: we will never ask for them.</span>
        </div>
        {/* A trap for bots: hidden from people and from assistive technology, never filled by a person. */}
        <div className="visually-hidden" aria-hidden="true">
          <label htmlFor="contact-website">Website</label>
          <input id="contact-website" tabIndex={-1} autoComplete="off" value={form.website} onChange={set('website')} />
        </div>
        <FormError message={errors._form} />
        <button className="btn btn-primary" type="submit" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send message'}
        </button>
      </form>
    </div>
  );
}
