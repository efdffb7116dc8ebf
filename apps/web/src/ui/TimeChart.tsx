import { AreaSeries, ColorType, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { toChartNumber } from '../lib/money.ts';

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

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#9aa4b2', attributionLogo: false },
      grid: { vertLines: { color: '#1c2538' }, horzLines: { color: '#1c2538' } },
      rightPriceScale: { borderColor: '#26324a' },
      timeScale: { borderColor: '#26324a', timeVisible: true, secondsVisible: false },
      crosshair: { mode: 1 },
      // Axis labels only (the figures on the page come from decimal strings): "$96,295.49", "$0.3640".
      localization: {
        priceFormatter: (p: number) =>
          `$${p.toLocaleString('en-US', { minimumFractionDigits: p !== 0 && Math.abs(p) < 1 ? 4 : 2, maximumFractionDigits: p !== 0 && Math.abs(p) < 1 ? 6 : 2 })}`,
      },
    });
    series.current = c.addSeries(AreaSeries, { lineColor: '#5b8cff', topColor: 'rgba(91,140,255,0.35)', bottomColor: 'rgba(91,140,255,0.02)', lineWidth: 2 });
    chart.current = c;
    return () => {
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
    chart.current?.timeScale().fitContent();
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
