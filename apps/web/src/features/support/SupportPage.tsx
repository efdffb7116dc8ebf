import { createTicketRequest, SUPPORT_CATEGORY_LABELS, SUPPORT_STATUS_LABELS, type SupportAttachment, supportCategory } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { since } from '../../shared/supportThread.tsx';
import { Field, FormError, SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { AttachmentPicker } from './Attachments.tsx';
import { supportApi, useTickets } from './api.ts';

export const STATUS_TONE: Record<string, string> = { open: 'badge-info', waiting_on_user: 'badge-warn', answered: 'badge-ok', closed: '' };

function NewTicketForm({ onCancel }: { onCancel: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState({ category: 'account', subject: '', message: '' });
  const [files, setFiles] = useState<SupportAttachment[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: (body: Parameters<ReturnType<typeof supportApi>['create']>[0]) => supportApi(api).create(body),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: qk.support });
      navigate(`/support/${t.id}`);
    },
    onError: (e) => setErrors(serverErrors(e)),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(createTicketRequest, { ...form, attachmentIds: files.map((f) => f.id) });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    create.mutate(v.data);
  }
  return (
    <form className="form card" onSubmit={submit} noValidate aria-labelledby="new-ticket-title">
      <h2 id="new-ticket-title">New support request</h2>
      <SelectField
        label="Topic"
        value={form.category}
        onChange={(v) => setForm((f) => ({ ...f, category: v }))}
        options={supportCategory.options.map((c) => ({ value: c, label: SUPPORT_CATEGORY_LABELS[c] }))}
        error={errors.category}
      />
      <Field
        label="Subject"
        value={form.subject}
        maxLength={150}
        onChange={(e) => setForm((f) => ({ ...f, subject: e.target.value }))}
        error={errors.subject}
      />
      <div className="field">
        <label htmlFor="ticket-message">Message</label>
        <textarea
          id="ticket-message"
          className="input"
          rows={6}
          maxLength={5000}
          value={form.message}
          aria-invalid={errors.message ? true : undefined}
          onChange={(e) => setForm((f) => ({ ...f, message: e.target.value }))}
        />
        {errors.message && <span className="field-error">{errors.message}</span>}
        <span className="hint">Never send your password, 2FA codes or backup codes: we will never ask for them.</span>
      </div>
      <AttachmentPicker files={files} onChange={setFiles} />
      <FormError message={errors._form ?? errors.attachmentIds} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? 'Sending…' : 'Send request'}
        </button>
        <button className="btn btn-ghost" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export default function SupportPage() {
  const tickets = useTickets();
  const [composing, setComposing] = useState(false);
  return (
    <div className="stack">
      <div className="page-head row-between">
        <h1>Support</h1>
        {!composing && (
          <button type="button" className="btn btn-primary" onClick={() => setComposing(true)}>
            New request
          </button>
        )}
      </div>
      {composing && <NewTicketForm onCancel={() => setComposing(false)} />}
      <QueryState query={tickets} isEmpty={(d) => d.items.length === 0} empty="No support requests yet. Ask us anything with “New request”.">
        {(d) => (
          <ul className="support-list" aria-label="Your support requests">
            {d.items.map((t) => (
              <li key={t.id} className="card support-list-item">
                <Link to={`/support/${t.id}`} className="support-list-link">
                  <span className="support-list-subject">
                    <strong>{t.subject}</strong>
                    <span className="small muted">
                      #{t.number} · {SUPPORT_CATEGORY_LABELS[t.category]} · {t.messageCount} {t.messageCount === 1 ? 'message' : 'messages'} · last{' '}
                      {since(t.lastMessageAt)}
                    </span>
                  </span>
                  <span className={`badge ${STATUS_TONE[t.status] ?? ''}`} data-testid="ticket-status">
                    {SUPPORT_STATUS_LABELS[t.status]}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </div>
  );
}
