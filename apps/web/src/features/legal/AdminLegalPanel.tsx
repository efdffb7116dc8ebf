import { type LegalDocument, type LegalKind, LEGAL_KINDS, publishLegalRequest } from '@cryptovault/contract';
import { type FormEvent, useMemo, useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Field, SelectField } from '../../ui/Field.tsx';
import { Markdown } from '../../ui/Markdown.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { LEGAL_TITLES, useAdminLegal, usePublishLegal } from './api.ts';

/**
 * The admin console's legal documents (role: compliance): every version of each document, and an editor that
 * publishes a new version (Markdown, previewed as it will be shown; never HTML) after a confirmation. A published
 * version is never changed; publishing the terms asks every user to accept them again.
 */
export function AdminLegalPanel() {
  const list = useAdminLegal();
  const [kind, setKind] = useState<LegalKind>('terms');
  return (
    <QueryState query={list}>
      {(d) => {
        const versions = d.items.filter((i) => i.kind === kind);
        const current = versions.find((v) => v.current) ?? versions[0];
        return (
          <div className="stack">
            <SelectField
              label="Document"
              name="legal-kind"
              value={kind}
              onChange={(v) => setKind(v as LegalKind)}
              options={LEGAL_KINDS.map((k) => ({ value: k, label: LEGAL_TITLES[k] }))}
            />
            <Editor key={`${kind}-${current?.version ?? 0}`} kind={kind} base={current} />
            <VersionTable versions={versions} />
          </div>
        );
      }}
    </QueryState>
  );
}

function Editor({ kind, base }: { kind: LegalKind; base: LegalDocument | undefined }) {
  const [form, setForm] = useState({ title: base?.title ?? LEGAL_TITLES[kind], body: base?.body ?? '', effectiveAt: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState(false);
  const [tab, setTab] = useState<'edit' | 'preview'>('edit');
  const publish = usePublishLegal();
  const toast = useToast();
  const next = (base?.version ?? 0) + 1;
  const unchanged = base !== undefined && form.title.trim() === base.title && form.body.trim() === base.body.trim();
  const body = useMemo(
    () => ({ kind, title: form.title, body: form.body, ...(form.effectiveAt ? { effectiveAt: new Date(form.effectiveAt).toISOString() } : {}) }),
    [kind, form],
  );

  function review(e: FormEvent) {
    e.preventDefault();
    const v = validate(publishLegalRequest, body);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setConfirming(true);
  }

  return (
    <form className="form legal-editor" onSubmit={review} noValidate>
      <h2>New version of the {LEGAL_TITLES[kind]}</h2>
      <Field label="Title" name="legal-title" value={form.title} onChange={(e) => setForm((f) => ({ ...f, title: e.target.value }))} error={errors.title} />
      <div className="tabs" role="tablist" aria-label="Editor">
        <button type="button" role="tab" aria-selected={tab === 'edit'} className={tab === 'edit' ? 'active' : ''} onClick={() => setTab('edit')}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={tab === 'preview'} className={tab === 'preview' ? 'active' : ''} onClick={() => setTab('preview')}>
          Preview
        </button>
      </div>
      {tab === 'edit' ? (
        <div className="field">
          <label htmlFor="legal-body">Text (Markdown: # headings, - lists, **bold**, [links](https://…); HTML is shown as text)</label>
          <textarea
            id="legal-body"
            className="input legal-textarea"
            rows={18}
            value={form.body}
            onChange={(e) => setForm((f) => ({ ...f, body: e.target.value }))}
          />
          {errors.body && <span className="field-error">{errors.body}</span>}
        </div>
      ) : (
        <div className="legal-preview" data-testid="legal-preview">
          <Markdown source={form.body} className="markdown legal-body" />
        </div>
      )}
      <Field
        label="Takes effect (empty: as soon as it is published)"
        name="legal-effective"
        type="datetime-local"
        value={form.effectiveAt}
        onChange={(e) => setForm((f) => ({ ...f, effectiveAt: e.target.value }))}
        error={errors.effectiveAt}
      />
      <button className="btn btn-primary" type="submit" disabled={unchanged || publish.isPending}>
        Publish version {next}…
      </button>
      {unchanged && <p className="muted small">Change the text or the title to publish a new version.</p>}
      {confirming && (
        <ConfirmDialog
          title={`Publish version ${next} of the ${LEGAL_TITLES[kind]}?`}
          description={
            kind === 'terms'
              ? 'Every user will be asked to accept it, and cannot deposit, trade or transfer until they do. A published version cannot be edited or removed.'
              : 'It replaces the version on the public page. A published version cannot be edited or removed.'
          }
          rows={[
            { label: 'Title', value: form.title },
            { label: 'Takes effect', value: form.effectiveAt ? new Date(form.effectiveAt).toLocaleString() : 'Now' },
            { label: 'Length', value: `${form.body.trim().length.toLocaleString()} characters` },
          ]}
          confirmLabel="Publish"
          busy={publish.isPending}
          error={publish.error ? (serverErrors(publish.error)._form ?? describeError(publish.error)) : undefined}
          onConfirm={() =>
            publish.mutate(body, {
              onSuccess: (doc) => {
                setConfirming(false);
                toast.show('success', `Published version ${doc.version} of the ${LEGAL_TITLES[kind]}`);
              },
            })
          }
          onCancel={() => {
            publish.reset();
            setConfirming(false);
          }}
        />
      )}
    </form>
  );
}

function VersionTable({ versions }: { versions: LegalDocument[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="muted small">Published versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Title</th>
            <th scope="col">Effective</th>
            <th scope="col" className="hide-sm">
              Published
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>
                <a href={`/legal/${v.kind}/versions/${v.version}`} target="_blank" rel="noreferrer">
                  {v.version}
                </a>
                {v.current && <span className="badge legal-badge">in force</span>}
              </td>
              <td>{v.title}</td>
              <td className="small">{new Date(v.effectiveAt).toLocaleString()}</td>
              <td className="small hide-sm">{new Date(v.publishedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
