import type { SmokeReport } from './run.ts';

const MARK = { pass: 'pass', fail: 'FAIL', warn: 'warn', skip: 'skip' } as const;

/** A table a person reads at the end of a deploy, and the counts on the last line. */
export function formatTable(report: SmokeReport): string {
  const rows = report.results.map((r) => [r.target, r.check, MARK[r.status], `${r.ms} ms`, r.detail]);
  const head = ['target', 'check', 'result', 'time', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  widths[4] = 0; // the detail column runs to the end of the line
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 4 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const targets = [`api ${report.api}`, report.web ? `web ${report.web}` : null, report.origin ? `origin ${report.origin}` : null].filter(Boolean);
  return [
    `CryptoVault smoke test: ${targets.join(', ')}`,
    '',
    line(head),
    ...rows.map(line),
    '',
    `${report.ok ? 'OK' : 'FAILED'}: ${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped`,
  ].join('\n');
}
