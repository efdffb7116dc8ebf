import { replyRequest, SUPPORT_CATEGORY_LABELS, SUPPORT_STATUS_LABELS, type SupportAttachment } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useServices } from '../../shared/services.ts';
import { openSignedLink, SupportMessages } from '../../shared/supportThread.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { FormError } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { AttachmentPicker } from './Attachments.tsx';
import { supportApi, useTicket } from './api.ts';
import { STATUS_TONE } from './SupportPage.tsx';

const STATUS_HINT: Record<string, string> = {
  open: 'Waiting for an operator. We email you when they answer.',
  waiting_on_user: 'An operator asked you something: reply below.',
  answered: 'An operator answered. Reply if you need more, or close the request.',
  closed: 'This request is closed. Open a new one if you need more help.',
};

export default function TicketPage() {
  const { id = '' } = useParams();
  const { api, config } = useServices();
  const qc = useQueryClient();
  const toast = useToast();
  const ticket = useTicket(id);
  const [message, setMessage] = useState('');
  const [files, setFiles] = useState<SupportAttachment[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirmClose, setConfirmClose] = useState(false);
  const refresh = (data: unknown) => {
    qc.setQueryData([...qk.support, 'ticket', id], data);
    void qc.invalidateQueries({ queryKey: [...qk.support, 'list'] });
  };
  const reply = useMutation({
    mutationFn: (body: { message: string; attachmentIds: string[] }) => supportApi(api).reply(id, body),
    onSuccess: (t) => {
      setMessage('');
      setFiles([]);
      refresh(t);
    },
    onError: (e) => setErrors(serverErrors(e)),
  });
  const close = useMutation({
    mutationFn: () => supportApi(api).close(id),
    onSuccess: (t) => {
      setConfirmClose(false);
      refresh(t);
      toast.show('success', 'Request closed');
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(replyRequest, { message, attachmentIds: files.map((f) => f.id) });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    reply.mutate(v.data);
  }
  const open = (attachmentId: string) =>
    openSignedLink(
      config.apiBaseUrl,
      () => supportApi(api).attachmentLink(id, attachmentId),
      (e) => toast.show('error', 'Could not open the file', describeError(e)),
    );

  return (
    <div className="stack">
      <p className="small">
        <Link to="/support">← All support requests</Link>
      </p>
      <QueryState query={ticket}>
        {(t) => (
          <>
            <div className="page-head row-between">
              <div>
                <h1 className="break">{t.subject}</h1>
                <p className="small muted">
                  #{t.number} · {SUPPORT_CATEGORY_LABELS[t.category]} · opened {new Date(t.createdAt).toLocaleString()}
                </p>
              </div>
              <span className={`badge ${STATUS_TONE[t.status] ?? ''}`} data-testid="ticket-status">
                {SUPPORT_STATUS_LABELS[t.status]}
              </span>
            </div>
            <div className="alert alert-info" role="status">
              {STATUS_HINT[t.status]}
            </div>
            <SupportMessages messages={t.messages} viewer="user" onOpenAttachment={open} />
            {t.status !== 'closed' && (
              <form className="form card" onSubmit={submit} noValidate aria-label="Reply">
                <div className="field">
                  <label htmlFor="support-reply">Your reply</label>
                  <textarea
                    id="support-reply"
                    className="input"
                    rows={4}
                    maxLength={5000}
                    value={message}
                    aria-invalid={errors.message ? true : undefined}
                    onChange={(e) => setMessage(e.target.value)}
                  />
                  {errors.message && <span className="field-error">{errors.message}</span>}
                </div>
                <AttachmentPicker files={files} onChange={setFiles} />
                <FormError message={errors._form ?? errors.attachmentIds} />
                <div className="row">
                  <button className="btn btn-primary" type="submit" disabled={reply.isPending}>
                    {reply.isPending ? 'Sending…' : 'Send reply'}
                  </button>
                  <button className="btn btn-ghost" type="button" onClick={() => setConfirmClose(true)}>
                    Close request
                  </button>
                </div>
              </form>
            )}
            {confirmClose && (
              <ConfirmDialog
                title="Close this request?"
                description="Close it when your question is answered. You cannot write on a closed request; open a new one if you need more help."
                confirmLabel="Close request"
                busy={close.isPending}
                error={close.error ? describeError(close.error) : undefined}
                onConfirm={() => close.mutate()}
                onCancel={() => setConfirmClose(false)}
              />
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}
