import { formatFraction, toChartNumber } from '../../lib/money.ts';

const COLORS = ['#5b8cff', '#22c55e', '#f5a524', '#c084fc', '#f25f5c', '#2dd4bf', '#f472b6', '#a3e635', '#94a3b8'];

/** A donut of holdings by value; the legend lists the same figures as text. */
export function AllocationChart({ slices }: { slices: { label: string; fraction: string }[] }) {
  const r = 54;
  const c = 2 * Math.PI * r;
  let offset = 0;
  const arcs = slices.map((s, i) => {
    const f = Math.max(0, toChartNumber(s.fraction) || 0);
    const arc = { ...s, color: COLORS[i % COLORS.length]!, dash: f * c, offset };
    offset += f * c;
    return arc;
  });
  return (
    <div className="row" style={{ gap: '1.5rem', alignItems: 'center' }}>
      <svg width="140" height="140" viewBox="0 0 140 140" aria-hidden="true">
        <circle cx="70" cy="70" r={r} fill="none" stroke="#1c2538" strokeWidth="18" />
        {arcs.map((a) => (
          <circle
            key={a.label}
            cx="70"
            cy="70"
            r={r}
            fill="none"
            stroke={a.color}
            strokeWidth="18"
            strokeDasharray={`${a.dash} ${c - a.dash}`}
            strokeDashoffset={-a.offset}
            transform="rotate(-90 70 70)"
          />
        ))}
      </svg>
      <ul className="donut-legend" aria-label="Allocation" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {arcs.map((a) => (
          <li key={a.label}>
            <span className="swatch" style={{ background: a.color }} aria-hidden="true" />
            {a.label} <span className="num muted">{formatFraction(a.fraction)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
