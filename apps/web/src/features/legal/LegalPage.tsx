import { type LegalDocument, type LegalKind, LEGAL_KINDS, type LegalVersionSummary } from '@cryptovault/contract';
import { Link, useParams } from 'react-router';
import { Markdown } from '../../ui/Markdown.tsx';
import { QueryState } from '../../ui/states.tsx';
import { LEGAL_TITLES, useLegalDocument, useLegalVersion } from './api.ts';

const dateOf = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });

/** Links to the other legal pages and the fee page (the page footer and the sign-up form link them too). */
export function LegalNav({ current }: { current?: LegalKind | 'fees' }) {
  return (
    <nav className="legal-nav" aria-label="Legal">
      {LEGAL_KINDS.map((k) => (
        <Link key={k} to={`/legal/${k}`} aria-current={current === k ? 'page' : undefined}>
          {LEGAL_TITLES[k]}
        </Link>
      ))}
      <Link to="/fees" aria-current={current === 'fees' ? 'page' : undefined}>
        Fees
      </Link>
    </nav>
  );
}

export function DocumentBody({ doc }: { doc: LegalDocument }) {
  const startsWithTitle = /^#\s/.test(doc.body.trimStart());
  return (
    <>
      {!startsWithTitle && <h1>{doc.title}</h1>}
      <Markdown source={doc.body} className="markdown legal-body" />
    </>
  );
}

function Versions({ kind, versions, shown }: { kind: LegalKind; versions: LegalVersionSummary[]; shown: number }) {
  return (
    <details className="legal-versions">
      <summary>All versions ({versions.length})</summary>
      <ul>
        {versions.map((v) => (
          <li key={v.version}>
            {v.version === shown ? <strong>Version {v.version}</strong> : <Link to={`/legal/${kind}/versions/${v.version}`}>Version {v.version}</Link>}{' '}
            <span className="muted">— effective {dateOf(v.effectiveAt)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** `/legal/:kind` (the version in force) and `/legal/:kind/versions/:version` (any published version). */
export default function LegalPage() {
  const params = useParams();
  const kind = (LEGAL_KINDS as readonly string[]).includes(params.kind ?? '') ? (params.kind as LegalKind) : null;
  const version = params.version && /^\d+$/.test(params.version) ? Number(params.version) : null;
  const page = useLegalDocument(kind ?? 'terms');
  const old = useLegalVersion(kind ?? 'terms', version);
  if (!kind) {
    return (
      <div className="empty">
        <h1>Page not found</h1>
        <LegalNav />
      </div>
    );
  }
  return (
    <article className="legal-page">
      <LegalNav current={kind} />
      <QueryState query={page}>
        {(p) => {
          const shown = version ?? p.document.version;
          return (
            <>
              <p className="legal-meta muted small" data-testid="legal-meta">
                Version {shown}
                {version === null ? ` · in force since ${dateOf(p.document.effectiveAt)}` : ''}
              </p>
              {version !== null && version !== p.document.version && (
                <div className="alert alert-info" role="status">
                  This is an earlier version. <Link to={`/legal/${kind}`}>Read the version in force (version {p.document.version})</Link>.
                </div>
              )}
              {version === null ? <DocumentBody doc={p.document} /> : <QueryState query={old}>{(d) => <DocumentBody doc={d} />}</QueryState>}
              <Versions kind={kind} versions={p.versions} shown={shown} />
            </>
          );
        }}
      </QueryState>
    </article>
  );
}
