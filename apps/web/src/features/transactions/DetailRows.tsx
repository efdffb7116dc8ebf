import type { ReactNode } from 'react';

/**
 * The label → value list of a single deposit, withdrawal or transfer page (where a history row leads). Rows with a
 * null value are left out. Below a heading or steps it keeps a gap (`.details` in styles.css).
 */
export function DetailRows({ rows, testId }: { rows: [string, ReactNode | null][]; testId: string }) {
  return (
    <dl className="details" data-testid={testId}>
      {rows
        .filter(([, v]) => v !== null)
        .map(([k, v]) => (
          <div key={k} className="row-between" style={{ padding: '0.4rem 0', borderBottom: '1px solid var(--border)' }}>
            <dt className="muted">{k}</dt>
            <dd className="num break" style={{ margin: 0 }}>
              {v}
            </dd>
          </div>
        ))}
    </dl>
  );
}
