import type { statsSeriesDay } from '@cryptovault/contract';
import type { z } from 'zod';
import { formatCompactUsd, formatUsd, sumDecimals, toChartNumber } from '../../lib/money.ts';
import { QueryState } from '../../ui/states.tsx';
import { useStatsSeries } from './api.ts';

type Day = z.infer<typeof statsSeriesDay>;

interface Series {
  title: string;
  /** The day's figure as drawn (a float, only for pixels) and as written (exact). */
  value: (d: Day) => number;
  label: (d: Day) => string;
  total: (days: Day[]) => string;
}

const SERIES: Series[] = [
  { title: 'Sign-ups', value: (d) => d.signups, label: (d) => String(d.signups), total: (days) => String(days.reduce((n, d) => n + d.signups, 0)) },
  {
    title: 'Deposits credited',
    value: (d) => toChartNumber(d.depositsCreditedUsd),
    label: (d) => formatUsd(d.depositsCreditedUsd),
    total: (days) => formatUsd(sumDecimals(days.map((d) => d.depositsCreditedUsd))),
  },
  {
    title: 'Withdrawals sent',
    value: (d) => toChartNumber(d.withdrawalsCompletedUsd),
    label: (d) => formatUsd(d.withdrawalsCompletedUsd),
    total: (days) => formatUsd(sumDecimals(days.map((d) => d.withdrawalsCompletedUsd))),
  },
  {
    title: 'Trades',
    value: (d) => d.trades,
    label: (d) => `${d.trades} (${formatCompactUsd(d.tradedUsd)})`,
    total: (days) => `${days.reduce((n, d) => n + d.trades, 0)} · ${formatCompactUsd(sumDecimals(days.map((d) => d.tradedUsd)))}`,
  },
];

const W = 280;
const H = 96;

const dayLabel = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** One small bar chart per series, each bar a UTC day with its exact figure on hover and in the accessible name. */
function Bars({ s, days }: { s: Series; days: Day[] }) {
  const values = days.map((d) => (Number.isFinite(s.value(d)) ? s.value(d) : 0));
  const max = Math.max(...values, 0);
  const slot = W / days.length;
  const bar = Math.max(2, slot * 0.7);
  return (
    <figure className="card stat-chart">
      <figcaption className="row-between">
        <span className="stat-label">{s.title}</span>
        <strong className="num">{s.total(days)}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H + 14}`} role="img" aria-label={`${s.title} per day: ${days.map((d) => `${dayLabel(d.day)} ${s.label(d)}`).join(', ')}`}>
        <line x1={0} x2={W} y1={H} y2={H} className="stat-chart-axis" />
        {days.map((d, i) => {
          const h = max > 0 ? Math.max(values[i]! > 0 ? 2 : 0, (values[i]! / max) * (H - 4)) : 0;
          return (
            <rect key={d.day} x={i * slot + (slot - bar) / 2} y={H - h} width={bar} height={h} rx={1.5} className="stat-chart-bar">
              <title>{`${dayLabel(d.day)}: ${s.label(d)}`}</title>
            </rect>
          );
        })}
        <text x={0} y={H + 12} className="stat-chart-tick">
          {dayLabel(days[0]!.day)}
        </text>
        <text x={W} y={H + 12} textAnchor="end" className="stat-chart-tick">
          today
        </text>
      </svg>
    </figure>
  );
}

export function StatsCharts() {
  const series = useStatsSeries(14);
  return (
    <QueryState query={series}>
      {(d) => (
        <section aria-label="Activity in the last 14 days" className="stack">
          <h2>Last 14 days</h2>
          <div className="stat-charts">
            {SERIES.map((s) => (
              <Bars key={s.title} s={s} days={d.days} />
            ))}
          </div>
        </section>
      )}
    </QueryState>
  );
}
