import { AreaSeries, type AutoscaleInfo, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { toChartNumber } from '../lib/money.ts';
import { CHART_OPTIONS, fitWithRoom, refitOnResize } from './chart-theme.ts';

export interface ChartPoint {
  /** ms since epoch */
  time: number;
  value: string;
}

interface Props {
  points: ChartPoint[];
  /** A live value appended/updated at the right edge. */
  live?: { time: number; value: string } | undefined;
  label: string;
  height?: number;
}

const toSeconds = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

/**
 * A price or value over time (lightweight-charts, loaded with the screens that need it). The canvas is
 * decorative for screen readers: the label and the figures around it carry the information.
 */
export default function TimeChart({ points, live, label, height = 320 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Area'> | null>(null);
  const last = useRef(0);
  const counted = useRef<{ n: number } | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, { ...CHART_OPTIONS, crosshair: { mode: 1 } });
    series.current = c.addSeries(AreaSeries, {
      lineColor: '#5b8cff',
      topColor: 'rgba(91,140,255,0.35)',
      bottomColor: 'rgba(91,140,255,0.02)',
      lineWidth: 2,
      // A series that is zero throughout (an empty portfolio) gets the axis $0 to $1, not a band around 0 that
      // reads "$-0.0000".
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
        const res = original();
        if (res?.priceRange && res.priceRange.minValue === 0 && res.priceRange.maxValue === 0) return { ...res, priceRange: { minValue: 0, maxValue: 1 } };
        return res;
      },
    });
    const count = { n: 0 };
    counted.current = count;
    const stopRefit = refitOnResize(box.current, () => fitWithRoom(c, count.n));
    chart.current = c;
    return () => {
      stopRefit();
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const seen = new Set<number>();
    const data = points
      .map((p) => ({ time: toSeconds(p.time), value: toChartNumber(p.value) }))
      .filter((p) => Number.isFinite(p.value) && !seen.has(p.time) && seen.add(p.time))
      .sort((a, b) => a.time - b.time);
    series.current?.setData(data);
    last.current = data.at(-1)?.time ?? 0;
    if (counted.current) counted.current.n = data.length;
    if (chart.current) fitWithRoom(chart.current, data.length);
  }, [points]);

  useEffect(() => {
    if (!live || !series.current) return;
    const t = toSeconds(live.time);
    const v = toChartNumber(live.value);
    if (!Number.isFinite(v) || t < last.current) return;
    series.current.update({ time: t, value: v });
    last.current = t;
  }, [live]);

  return <div ref={box} className="chart-box" style={{ height }} role="img" aria-label={label} />;
}
