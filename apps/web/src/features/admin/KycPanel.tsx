import { apiRoutes, type KycDecisionRequest, type KycReviewDetail, type KycSubmissionStatus } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { SelectField } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';

// role: compliance — the KYC review queue (issue 21).
const kycKeys = {
  queue: (status: string) => [...qk.admin, 'kyc', status] as const,
  detail: (id: string) => [...qk.admin, 'kyc', 'detail', id] as const,
};

const DOC_LABEL: Record<string, string> = { passport: 'Passport', id_card: 'National identity card', driving_licence: 'Driving licence' };
const when = (iso: string) => new Date(iso).toLocaleString();

export function KycPanel() {
  const api = useApi();
  const [status, setStatus] = useState<KycSubmissionStatus>('pending');
  const [open, setOpen] = useState<string | null>(null);
  const queue = useQuery({ queryKey: kycKeys.queue(status), queryFn: () => api.call(apiRoutes.kyc.queue, { query: { status } }) });
  return (
    <div className="stack">
      <div style={{ maxWidth: 260 }}>
        <SelectField
          label="Show"
          value={status}
          onChange={(v) => setStatus(v as KycSubmissionStatus)}
          options={[
            { value: 'pending', label: 'Waiting for review' },
            { value: 'needs_info', label: 'Waiting for the user' },
            { value: 'approved', label: 'Approved' },
            { value: 'rejected', label: 'Rejected' },
          ]}
        />
      </div>
      <QueryState query={queue} isEmpty={(d) => d.items.length === 0} empty="No verification requests here.">
        {(d) => (
          <div className="table-wrap">
            <table className="table" data-testid="kyc-queue">
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">Name</th>
                  <th scope="col">Tier</th>
                  <th scope="col" className="hide-sm">
                    Status
                  </th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {d.items.map((i) => (
                  <tr key={i.id}>
                    <td className="small">{when(i.createdAt)}</td>
                    <td>
                      {i.userName}
                      <div className="small muted break">{i.userEmail}</div>
                    </td>
                    <td>
                      {i.currentTier} → {i.tier}
                    </td>
                    <td className="hide-sm">
                      <StatusBadge status={i.status} />
                    </td>
                    <td className="right">
                      <button type="button" className="btn btn-sm" onClick={() => setOpen(i.id)} aria-label={`Review ${i.userName}`}>
                        Review
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {open && <KycReview id={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

type Decision = KycDecisionRequest['decision'];
const DIALOG: Record<Decision, { title: string; confirm: string; tone: 'primary' | 'danger'; ask?: string }> = {
  approve: { title: 'Approve this verification?', confirm: 'Approve', tone: 'primary' },
  reject: { title: 'Reject this verification', confirm: 'Reject', tone: 'danger', ask: 'Reason (the user reads it)' },
  needs_info: { title: 'Ask for more information', confirm: 'Send the question', tone: 'primary', ask: 'What is missing (the user reads it)' },
};

function KycReview({ id, onClose }: { id: string; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const detail = useQuery({ queryKey: kycKeys.detail(id), queryFn: () => api.call(apiRoutes.kyc.review, { params: { id } }) });
  const [decision, setDecision] = useState<Decision | null>(null);
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: (body: KycDecisionRequest) => api.call(apiRoutes.kyc.decide, { params: { id }, body }),
    onSuccess: (d) => {
      toast.show(
        'success',
        d.status === 'approved' ? 'Verification approved' : d.status === 'rejected' ? 'Verification rejected' : 'Question sent to the user',
      );
      setDecision(null);
      setReason('');
      qc.setQueryData(kycKeys.detail(id), d);
      void qc.invalidateQueries({ queryKey: [...qk.admin, 'kyc'] });
    },
  });
  const reasonError = decision && decision !== 'approve' && reason.trim().length < 3 ? 'Say why, in at least 3 characters' : undefined;
  return (
    <section className="card kyc-review" aria-labelledby="kyc-review-title" data-testid="kyc-review">
      <div className="row-between">
        <h2 id="kyc-review-title">Verification request</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose}>
          Close
        </button>
      </div>
      <QueryState query={detail}>
        {(d) => (
          <div className="stack">
            <ReviewFacts d={d} />
            {d.status === 'pending' ? (
              <div className="row">
                <button type="button" className="btn btn-primary" onClick={() => setDecision('approve')}>
                  Approve
                </button>
                <button type="button" className="btn" onClick={() => setDecision('needs_info')}>
                  Ask for more
                </button>
                <button type="button" className="btn btn-danger" onClick={() => setDecision('reject')}>
                  Reject
                </button>
              </div>
            ) : (
              <p className="small muted">
                {d.status === 'needs_info' ? 'Waiting for the user to answer.' : `Decided ${d.decidedAt ? when(d.decidedAt) : ''}.`}
              </p>
            )}
          </div>
        )}
      </QueryState>
      {decision && detail.data && (
        <ConfirmDialog
          title={DIALOG[decision].title}
          description={`${detail.data.userName} (${detail.data.userEmail}), tier ${detail.data.currentTier} → ${detail.data.tier}. The user is emailed the decision.`}
          confirmLabel={DIALOG[decision].confirm}
          tone={DIALOG[decision].tone}
          busy={decide.isPending}
          confirmDisabled={Boolean(reasonError)}
          error={decide.error ? describeError(decide.error) : undefined}
          onCancel={() => {
            setDecision(null);
            decide.reset();
          }}
          onConfirm={() => decide.mutate({ decision, ...(reason.trim() ? { reason: reason.trim() } : {}) })}
        >
          {DIALOG[decision].ask && (
            <div className="field">
              <label htmlFor="kyc-reason">{DIALOG[decision].ask}</label>
              <textarea id="kyc-reason" className="input" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
              {reason.length > 0 && reasonError && <span className="field-error">{reasonError}</span>}
            </div>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function ReviewFacts({ d }: { d: KycReviewDetail }) {
  const rows: [string, string][] = [
    ['Name', d.userName],
    ['Email', d.userEmail],
    ['Requested', when(d.createdAt)],
    ['Tier', `${d.currentTier} → ${d.tier}`],
  ];
  if (d.details.legalName) rows.push(['Legal name', d.details.legalName]);
  if (d.details.dateOfBirth) rows.push(['Date of birth', d.details.dateOfBirth]);
  if (d.details.country) rows.push(['Country', d.details.country]);
  if (d.details.addressLine1) {
    rows.push([
      'Address',
      [d.details.addressLine1, d.details.addressLine2, `${d.details.postalCode ?? ''} ${d.details.city ?? ''}`.trim()].filter(Boolean).join(', '),
    ]);
  }
  if (d.documentType) rows.push(['Document', DOC_LABEL[d.documentType] ?? d.documentType]);
  return (
    <>
      <dl className="kyc-facts" data-testid="kyc-facts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="break">{v}</dd>
          </div>
        ))}
      </dl>
      {d.documents.length > 0 && (
        <div className="kyc-docs">
          {d.documents.map((doc) =>
            doc.url ? (
              <figure key={doc.kind} className="kyc-doc">
                {doc.contentType.startsWith('image/') ? (
                  <a href={doc.url} target="_blank" rel="noreferrer">
                    <img src={doc.url} alt={doc.kind === 'selfie' ? 'Selfie' : 'Identity document'} />
                  </a>
                ) : (
                  <a className="btn btn-sm" href={doc.url} target="_blank" rel="noreferrer">
                    Open the {doc.kind === 'selfie' ? 'selfie' : 'document'} (PDF)
                  </a>
                )}
                <figcaption className="small muted">
                  {doc.kind === 'selfie' ? 'Selfie' : 'Identity document'} · link valid until{' '}
                  {doc.expiresAt ? new Date(doc.expiresAt).toLocaleTimeString() : ''}
                </figcaption>
              </figure>
            ) : (
              <p key={doc.kind} className="small muted">
                The {doc.kind} was deleted (retention).
              </p>
            ),
          )}
        </div>
      )}
      {d.history.length > 0 && (
        <div className="small">
          <strong>Earlier requests</strong>
          <ul>
            {d.history.map((h) => (
              <li key={h.id}>
                {when(h.createdAt)} · tier {h.tier} · {h.status.replace('_', ' ')}
                {h.reason ? ` — ${h.reason}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
