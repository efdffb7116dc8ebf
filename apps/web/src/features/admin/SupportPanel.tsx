import { type AdminSupportTicket, SUPPORT_CATEGORY_LABELS, SUPPORT_MESSAGE_MAX, type SupportStatus } from '@cryptovault/contract';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { useServices } from '../../shared/services.ts';
import { openSignedLink, SupportMessages, since } from '../../shared/supportThread.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { supportOps, useSupportAction, useSupportQueue, useSupportTicket } from './support-api.ts';
import { ModalLayer } from '../../ui/ModalLayer.tsx';

/** Status as operators read it (the user's page says "Waiting on you" for waiting_on_user). */
const OP_STATUS: Record<SupportStatus, string> = { open: 'Needs answer', waiting_on_user: 'Waiting on user', answered: 'Answered', closed: 'Closed' };
const OP_TONE: Record<SupportStatus, string> = { open: 'badge-warn', waiting_on_user: 'badge-info', answered: 'badge-ok', closed: '' };

const FILTERS = [
  { value: 'waiting', label: 'Needs answer (oldest first)' },
  { value: 'waiting_on_user', label: 'Waiting on user' },
  { value: 'answered', label: 'Answered' },
  { value: 'closed', label: 'Closed' },
  { value: 'all', label: 'All' },
] as const;

/** A dialog with one text box (a reply or an internal note): a real dialog, not window.prompt. */
function TextDialog({
  title,
  label,
  description,
  confirmLabel,
  busy,
  error,
  children,
  onSubmit,
  onCancel,
}: {
  title: string;
  label: string;
  description?: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error?: string | undefined;
  children?: ReactNode;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);
  const submit = () => {
    if (!text.trim()) return setProblem('Write something first.');
    setProblem(null);
    onSubmit(text.trim());
  };
  return (
    <ModalLayer>
      <div
        className="modal support-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.stopPropagation();
          if (!busy) onCancel();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {description && <p className="muted small">{description}</p>}
        <div className="field">
          <label htmlFor={`${id}-text`}>{label}</label>
          <textarea
            ref={box}
            id={`${id}-text`}
            className="input"
            rows={6}
            maxLength={SUPPORT_MESSAGE_MAX}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={problem ? true : undefined}
          />
          {problem && <span className="field-error">{problem}</span>}
        </div>
        {children}
        {error && (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <div className="row" style={{ marginTop: '0.75rem' }}>
          <button type="button" className="btn btn-primary" onClick={submit} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </div>
    </ModalLayer>
  );
}

function Requester({ t }: { t: AdminSupportTicket }) {
  return (
    <>
      <strong className="break">{t.requesterName || '—'}</strong>
      <div className="small muted break">
        {t.requesterEmail}
        {t.source === 'contact' ? ' · contact form' : t.tier !== null ? ` · tier ${t.tier}` : ''}
      </div>
    </>
  );
}

function TicketThread({ id, onClose }: { id: string; onClose: () => void }) {
  const { api, config } = useServices();
  const toast = useToast();
  const ticket = useSupportTicket(id);
  const action = useSupportAction(id);
  const [dialog, setDialog] = useState<'reply' | 'note' | 'close' | null>(null);
  const [replyStatus, setReplyStatus] = useState<'answered' | 'waiting_on_user'>('answered');
  const done = { onSuccess: () => setDialog(null) };
  const open = (attachmentId: string) =>
    openSignedLink(
      config.apiBaseUrl,
      () => supportOps(api).attachmentLink(id, attachmentId),
      (e) => toast.show('error', 'Could not open the file', describeError(e)),
    );
  return (
    <section className="card stack support-op-thread" aria-label="Support request">
      <QueryState query={ticket}>
        {(t) => (
          <>
            <div className="row-between">
              <div>
                <h2 className="break" style={{ margin: 0 }}>
                  #{t.number} {t.subject}
                </h2>
                <p className="small muted" style={{ margin: '0.25rem 0 0' }}>
                  {SUPPORT_CATEGORY_LABELS[t.category]} · requested {new Date(t.createdAt).toLocaleString()}
                  {t.assignedTo ? ` · taken by ${t.assignedTo.name}` : ' · not taken'}
                </p>
              </div>
              <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
                Back to the queue
              </button>
            </div>
            <div className="row">
              <Requester t={t} />
              <span className={`badge ${OP_TONE[t.status]}`} data-testid="op-ticket-status">
                {OP_STATUS[t.status]}
              </span>
            </div>
            <SupportMessages messages={t.messages} viewer="operator" onOpenAttachment={open} />
            {t.status !== 'closed' && (
              <div className="row">
                <button type="button" className="btn btn-primary" onClick={() => setDialog('reply')}>
                  Reply
                </button>
                <button type="button" className="btn" onClick={() => setDialog('note')}>
                  Internal note
                </button>
                {t.assignedTo === null && (
                  <button type="button" className="btn" onClick={() => action.mutate({ label: 'You took this request', act: (o) => o.assign(id) })}>
                    Take it
                  </button>
                )}
                <button type="button" className="btn btn-danger" onClick={() => setDialog('close')}>
                  Close request
                </button>
              </div>
            )}
            {dialog === 'reply' && (
              <TextDialog
                title={`Reply to ${t.requesterName || t.requesterEmail}`}
                label="Reply"
                description={
                  t.source === 'contact'
                    ? `Sent by email to ${t.requesterEmail} (a contact-form request: there is no account).`
                    : 'Shown in the user’s support page and emailed to them.'
                }
                confirmLabel="Send reply"
                busy={action.isPending}
                error={action.error ? describeError(action.error) : undefined}
                onSubmit={(message) => action.mutate({ label: 'Reply sent', act: (o) => o.reply(id, { message, status: replyStatus }) }, done)}
                onCancel={() => setDialog(null)}
              >
                <SelectField
                  label="Then the request is"
                  value={replyStatus}
                  onChange={(v) => setReplyStatus(v as 'answered' | 'waiting_on_user')}
                  options={[
                    { value: 'answered', label: 'Answered' },
                    { value: 'waiting_on_user', label: 'Waiting on the user (you asked something)' },
                  ]}
                />
              </TextDialog>
            )}
            {dialog === 'note' && (
              <TextDialog
                title="Internal note"
                label="Note"
                description="Visible to operators only: never shown or emailed to the user."
                confirmLabel="Add note"
                busy={action.isPending}
                error={action.error ? describeError(action.error) : undefined}
                onSubmit={(note) => action.mutate({ label: 'Note added', act: (o) => o.note(id, note) }, done)}
                onCancel={() => setDialog(null)}
              />
            )}
            {dialog === 'close' && (
              <ConfirmDialog
                title={`Close request #${t.number}?`}
                description="Nobody can write on a closed request; the user opens a new one if they need more help."
                confirmLabel="Close request"
                tone="danger"
                busy={action.isPending}
                error={action.error ? describeError(action.error) : undefined}
                onConfirm={() => action.mutate({ label: 'Request closed', act: (o) => o.close(id) }, done)}
                onCancel={() => setDialog(null)}
              />
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** The support queue: open requests, the one waiting longest first, with who asked; a request's thread below. */
export function SupportPanel() {
  const [params, setParams] = useSearchParams();
  const selected = params.get('ticket');
  const [status, setStatus] = useState<(typeof FILTERS)[number]['value']>('waiting');
  const [mine, setMine] = useState(false);
  const queue = useSupportQueue({ status, mine: mine ? 'true' : undefined, limit: 100 });
  const select = (id: string | null) => setParams(id ? { ticket: id } : {});

  if (selected) return <TicketThread id={selected} onClose={() => select(null)} />;
  return (
    <div className="stack">
      <div className="row support-filters">
        <SelectField label="Show" value={status} onChange={(v) => setStatus(v as typeof status)} options={[...FILTERS]} />
        <label className="checkbox">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Only requests I took
        </label>
      </div>
      <QueryState query={queue} isEmpty={(d) => d.items.length === 0} empty="No support requests here.">
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Support queue">
              <thead>
                <tr>
                  <th scope="col">{status === 'waiting' ? 'Waiting' : 'Updated'}</th>
                  <th scope="col">Request</th>
                  <th scope="col" className="hide-sm">
                    From
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-sm">
                    Taken by
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((t) => {
                  const at = status === 'waiting' ? (t.waitingSince ?? t.createdAt) : t.updatedAt;
                  return (
                    <tr key={t.id}>
                      <td className="small">
                        <time dateTime={at} title={new Date(at).toLocaleString()}>
                          {since(at)}
                        </time>
                        <div className="muted hide-sm">requested {new Date(t.createdAt).toLocaleDateString()}</div>
                      </td>
                      <td>
                        <button type="button" className="sort-btn support-open" onClick={() => select(t.id)}>
                          <strong>{t.subject}</strong>
                        </button>
                        <div className="small muted">
                          #{t.number} · {SUPPORT_CATEGORY_LABELS[t.category]} · {t.messageCount} msg
                        </div>
                        <div className="small only-sm">
                          <Requester t={t} />
                        </div>
                      </td>
                      <td className="hide-sm">
                        <Requester t={t} />
                      </td>
                      <td>
                        <span className={`badge ${OP_TONE[t.status]}`}>{OP_STATUS[t.status]}</span>
                      </td>
                      <td className="small hide-sm">{t.assignedTo?.name ?? '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </div>
  );
}
