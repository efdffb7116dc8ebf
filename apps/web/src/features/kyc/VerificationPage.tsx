import { type KycDocumentType, type KycLimitUsage, type KycStatus, kycTier1Request } from '@cryptovault/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { formatUsd } from '../../lib/money.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { Field, FormError, SelectField, SubmitButton } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { fileToBase64, kycApi, useKycStatus } from './api.ts';

const TIER_NAMES = ['Tier 0 · email verified', 'Tier 1 · personal details verified', 'Tier 2 · identity document verified'];
const KIND_LABEL: Record<KycLimitUsage['kind'], string> = { deposit: 'Deposits', withdrawal: 'Withdrawals', transfer: 'Transfers' };
const STATUS_TEXT: Record<string, string> = {
  pending: 'Waiting for review. We email you when it is decided.',
  needs_info: 'We need more information',
  approved: 'Approved',
  rejected: 'Not approved',
};

/** A user's verification: tier, limits with what is used, the latest request, and the form for the next tier. */
export default function VerificationPage() {
  const status = useKycStatus();
  return (
    <>
      <div className="page-head">
        <h1>Verification</h1>
      </div>
      <QueryState query={status}>
        {(s) => (
          <div className="stack kyc-page">
            <TierCard s={s} />
            <LimitsCard s={s} />
            <NextStep s={s} />
          </div>
        )}
      </QueryState>
    </>
  );
}

function TierCard({ s }: { s: KycStatus }) {
  const sub = s.submission;
  return (
    <section className="card" aria-labelledby="kyc-tier-title">
      <h2 id="kyc-tier-title">Your tier</h2>
      <p className="kyc-tier" data-testid="kyc-tier">
        {TIER_NAMES[s.tier]}
      </p>
      {sub && (
        <div
          className={`alert ${sub.status === 'rejected' ? 'alert-error' : sub.status === 'approved' ? 'alert-info' : 'alert-warn'}`}
          role="status"
          data-testid="kyc-submission"
        >
          <strong>
            Tier {sub.tier} request: {STATUS_TEXT[sub.status]}
          </strong>
          {sub.reason && <span> — {sub.reason}</span>}
          <div className="small muted">
            Sent {new Date(sub.createdAt).toLocaleString()}
            {sub.decidedAt ? ` · decided ${new Date(sub.decidedAt).toLocaleString()}` : ''}
          </div>
        </div>
      )}
    </section>
  );
}

function Allowance({ a, label }: { a: { limitUsd: string; usedUsd: string; remainingUsd: string }; label: string }) {
  const pct = Number(a.limitUsd) > 0 ? Math.min(100, (Number(a.usedUsd) / Number(a.limitUsd)) * 100) : 100;
  return (
    <div className="kyc-allowance">
      <div className="row-between small">
        <span>{label}</span>
        <span className="num">
          {formatUsd(a.usedUsd)} of {formatUsd(a.limitUsd)}
        </span>
      </div>
      <div
        className="kyc-bar"
        role="progressbar"
        aria-label={`${label}: ${formatUsd(a.usedUsd)} used of ${formatUsd(a.limitUsd)}`}
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <div className="small muted">{formatUsd(a.remainingUsd)} left</div>
    </div>
  );
}

function LimitsCard({ s }: { s: KycStatus }) {
  return (
    <section className="card" aria-labelledby="kyc-limits-title">
      <h2 id="kyc-limits-title">Your limits</h2>
      {!s.enforced && <p className="small muted">Limits are not enforced on this server.</p>}
      <div className="kyc-limits">
        {s.limits.map((l) => (
          <div key={l.kind} className="kyc-limit" data-testid={`kyc-limit-${l.kind}`}>
            <h3>{KIND_LABEL[l.kind]}</h3>
            <Allowance a={l.daily} label="Today" />
            <Allowance a={l.monthly} label="This month" />
          </div>
        ))}
      </div>
      <p className="small muted">
        Counted in US dollars at the time of each movement. The daily allowance starts again at {new Date(s.resets.day).toLocaleString()}, the monthly one on{' '}
        {new Date(s.resets.month).toLocaleDateString()}.
      </p>
      {s.nextTier && (
        <p className="small" data-testid="kyc-next-tier">
          Tier {s.nextTier.tier} raises them to:{' '}
          {s.nextTier.limits.map((l) => `${KIND_LABEL[l.kind].toLowerCase()} ${formatUsd(l.dailyUsd)} a day, ${formatUsd(l.monthlyUsd)} a month`).join('; ')}.
        </p>
      )}
    </section>
  );
}

function NextStep({ s }: { s: KycStatus }) {
  const open = s.submission && (s.submission.status === 'pending' || s.submission.status === 'needs_info') ? s.submission : null;
  if (open?.status === 'pending') return null;
  const tier = open ? open.tier : s.tier + 1;
  if (tier === 1) return <Tier1Form answering={Boolean(open)} />;
  if (tier === 2) return <Tier2Form answering={Boolean(open)} />;
  return null;
}

function useSubmitted() {
  const qc = useQueryClient();
  const toast = useToast();
  return () => {
    toast.show('success', 'Sent for review', 'We email you when an operator has decided.');
    void qc.invalidateQueries({ queryKey: qk.kyc });
  };
}

const EMPTY1 = { legalName: '', dateOfBirth: '', country: '', addressLine1: '', addressLine2: '', city: '', postalCode: '' };

function Tier1Form({ answering }: { answering: boolean }) {
  const api = kycApi(useApi());
  const done = useSubmitted();
  const [form, setForm] = useState(EMPTY1);
  const [errors, setErrors] = useState<FieldErrors>({});
  const send = useMutation({ mutationFn: api.submitTier1, onSuccess: done, onError: (e) => setErrors(serverErrors(e)) });
  const set = (k: keyof typeof EMPTY1) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(kycTier1Request, { ...form, addressLine2: form.addressLine2 || undefined });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    send.mutate(v.data);
  }
  return (
    <section className="card" aria-labelledby="kyc-tier1-title">
      <h2 id="kyc-tier1-title">{answering ? 'Update your details' : 'Verify your details (tier 1)'}</h2>
      <p className="small muted">As on your identity document. An operator checks them; your limits rise when they approve.</p>
      <form className="form kyc-form" onSubmit={submit} noValidate>
        <Field label="Full legal name" name="legalName" autoComplete="name" value={form.legalName} onChange={set('legalName')} error={errors.legalName} />
        <Field
          label="Date of birth"
          name="dateOfBirth"
          type="date"
          autoComplete="bday"
          value={form.dateOfBirth}
          onChange={set('dateOfBirth')}
          error={errors.dateOfBirth}
        />
        <Field
          label="Country"
          name="country"
          autoComplete="country"
          maxLength={2}
          value={form.country}
          onChange={set('country')}
          error={errors.country}
          hint="Two-letter code, e.g. FR, GB, US."
        />
        <Field
          label="Address"
          name="addressLine1"
          autoComplete="address-line1"
          value={form.addressLine1}
          onChange={set('addressLine1')}
          error={errors.addressLine1}
        />
        <Field
          label="Address line 2 (optional)"
          name="addressLine2"
          autoComplete="address-line2"
          value={form.addressLine2}
          onChange={set('addressLine2')}
          error={errors.addressLine2}
        />
        <div className="kyc-row">
          <Field label="City" name="city" autoComplete="address-level2" value={form.city} onChange={set('city')} error={errors.city} />
          <Field
            label="Postal code"
            name="postalCode"
            autoComplete="postal-code"
            value={form.postalCode}
            onChange={set('postalCode')}
            error={errors.postalCode}
          />
        </div>
        <FormError message={errors._form} />
        <SubmitButton pending={send.isPending} label="Send for review" pendingLabel="Sending…" />
      </form>
    </section>
  );
}

const DOC_TYPES: { value: KycDocumentType; label: string }[] = [
  { value: 'passport', label: 'Passport' },
  { value: 'id_card', label: 'National identity card' },
  { value: 'driving_licence', label: 'Driving licence' },
];

function Tier2Form({ answering }: { answering: boolean }) {
  const api = kycApi(useApi());
  const done = useSubmitted();
  const [documentType, setDocumentType] = useState<KycDocumentType>('passport');
  const [files, setFiles] = useState<{ document: File | null; selfie: File | null }>({ document: null, selfie: null });
  const [errors, setErrors] = useState<FieldErrors>({});
  const send = useMutation({
    mutationFn: async () => {
      const uploaded: Record<'document' | 'selfie', string> = { document: '', selfie: '' };
      for (const kind of ['document', 'selfie'] as const) {
        const file = files[kind] as File;
        try {
          const r = await api.upload({ kind, fileName: file.name, dataBase64: await fileToBase64(file) });
          uploaded[kind] = r.id;
        } catch (err) {
          throw Object.assign(err as Error, { field: kind });
        }
      }
      return api.submitTier2({ documentType, documentId: uploaded.document, selfieId: uploaded.selfie });
    },
    onSuccess: done,
    onError: (e) => {
      const field = (e as { field?: string }).field;
      const errs = serverErrors(e);
      setErrors(field && errs._form ? { [field]: errs._form } : errs);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: FieldErrors = {};
    if (!files.document) errs.document = 'Choose a photo or scan of your document';
    if (!files.selfie) errs.selfie = 'Choose a photo of yourself';
    setErrors(errs);
    if (Object.keys(errs).length === 0) send.mutate();
  }
  const pick = (kind: 'document' | 'selfie') => (e: { target: { files: FileList | null } }) => setFiles((f) => ({ ...f, [kind]: e.target.files?.[0] ?? null }));
  return (
    <section className="card" aria-labelledby="kyc-tier2-title">
      <h2 id="kyc-tier2-title">{answering ? 'Send your documents again' : 'Verify your identity (tier 2)'}</h2>
      <p className="small muted">
        A photo or PDF scan of an identity document and a selfie (JPEG, PNG or PDF; the selfie a photo). They are stored encrypted and seen only by our
        compliance team.
      </p>
      <form className="form kyc-form" onSubmit={submit} noValidate>
        <SelectField label="Document" name="documentType" value={documentType} onChange={(v) => setDocumentType(v as KycDocumentType)} options={DOC_TYPES} />
        <Field
          label="Document photo or scan"
          name="document"
          type="file"
          accept="image/jpeg,image/png,application/pdf"
          onChange={pick('document')}
          error={errors.document}
        />
        <Field label="Selfie" name="selfie" type="file" accept="image/jpeg,image/png" capture="user" onChange={pick('selfie')} error={errors.selfie} />
        <FormError message={errors._form} />
        <SubmitButton pending={send.isPending} label="Upload and send for review" pendingLabel="Uploading…" />
      </form>
    </section>
  );
}
