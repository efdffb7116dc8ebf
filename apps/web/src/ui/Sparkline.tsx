import { toChartNumber } from '../lib/money.ts';

/** A tiny inline price line; green when the last point is at or above the first. */
export function Sparkline({ points, width = 96, height = 28, label }: { points: string[]; width?: number; height?: number; label: string }) {
  const values = points.map(toChartNumber).filter((v) => Number.isFinite(v));
  if (values.length < 2)
    return (
      <span className="muted small" aria-hidden="true">
        —
      </span>
    );
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`).join(' ');
  const rising = (values.at(-1) ?? 0) >= (values[0] ?? 0);
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <path d={d} fill="none" stroke={rising ? 'var(--up)' : 'var(--down)'} strokeWidth="1.5" />
    </svg>
  );
}
