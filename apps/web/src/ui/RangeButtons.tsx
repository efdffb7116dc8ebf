import { CHART_RANGES, type ChartRangeId } from './chart-common.ts';

/** The chart range buttons every chart page uses (1D, 1W, 1M, 1Y). */
export function RangeButtons({ value, onChange, label = 'Chart range' }: { value: ChartRangeId; onChange: (id: ChartRangeId) => void; label?: string }) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">{label}</legend>
      {CHART_RANGES.map((r) => (
        <button key={r.id} type="button" aria-pressed={r.id === value} onClick={() => onChange(r.id)}>
          {r.label}
        </button>
      ))}
    </fieldset>
  );
}
