import type { Candle, CandleInterval } from '@cryptovault/contract';
import { CandlestickSeries, createChart, HistogramSeries, type IChartApi, type ISeriesApi, type MouseEventParams, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import { toChartNumber } from '../lib/money.ts';
import { formatAxisUsd, formatAxisVolume } from './chart-common.ts';
import { CHART_OPTIONS, fitWithRoom, refitOnResize } from './chart-theme.ts';

const UP = '#26a69a';
const DOWN = '#ef5350';
const CANDLE_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

interface Bar {
  time: UTCTimestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface Props {
  candles: Candle[];
  interval: CandleInterval;
  /** The live price (decimal string): moves the newest candle, or opens the next one when its bucket has begun. */
  live?: string | undefined;
  label: string;
  height?: number;
}

const toSeconds = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;
const volumeBar = (b: Bar) => ({ time: b.time, value: b.volume, color: b.close >= b.open ? 'rgba(38,166,154,0.45)' : 'rgba(239,83,80,0.45)' });

/**
 * Candlesticks with a volume histogram under them (lightweight-charts 5). The legend above the canvas shows the
 * open, high, low, close and volume of the candle under the crosshair, or of the newest one. The canvas is
 * decorative for screen readers: the label and the legend carry the information.
 */
export default function CandleChart({ candles, interval, live, label, height = 360 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const priceSeries = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const volumeSeries = useRef<ISeriesApi<'Histogram'> | null>(null);
  const bars = useRef<Bar[]>([]);
  const [shown, setShown] = useState<Bar | null>(null);
  const [hovering, setHovering] = useState(false);

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, CHART_OPTIONS);
    const price = c.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceFormat: { type: 'custom', formatter: formatAxisUsd, minMove: 0.000001 },
    });
    price.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
    const volume = c.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'custom', formatter: formatAxisVolume },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    c.priceScale('volume').applyOptions({ scaleMargins: { top: 0.78, bottom: 0 }, visible: false });
    const onMove = (param: MouseEventParams) => {
      const t = param.time;
      const bar = t === undefined ? undefined : bars.current.find((b) => b.time === t);
      setHovering(Boolean(bar));
      if (bar) setShown(bar);
      else setShown(bars.current.at(-1) ?? null);
    };
    c.subscribeCrosshairMove(onMove);
    const stopRefit = refitOnResize(box.current, () => fitWithRoom(c, bars.current.length));
    chart.current = c;
    priceSeries.current = price;
    volumeSeries.current = volume;
    return () => {
      stopRefit();
      c.unsubscribeCrosshairMove(onMove);
      c.remove();
      chart.current = null;
      priceSeries.current = null;
      volumeSeries.current = null;
    };
  }, []);

  useEffect(() => {
    const seen = new Set<number>();
    const data: Bar[] = [];
    for (const k of candles) {
      const b = {
        time: toSeconds(k.time),
        open: toChartNumber(k.open),
        high: toChartNumber(k.high),
        low: toChartNumber(k.low),
        close: toChartNumber(k.close),
        volume: toChartNumber(k.volume),
      };
      if (![b.open, b.high, b.low, b.close].every(Number.isFinite) || seen.has(b.time)) continue;
      seen.add(b.time);
      data.push({ ...b, volume: Number.isFinite(b.volume) ? b.volume : 0 });
    }
    data.sort((a, b) => a.time - b.time);
    bars.current = data;
    priceSeries.current?.setData(data);
    volumeSeries.current?.setData(data.map(volumeBar));
    if (chart.current) fitWithRoom(chart.current, data.length);
    setShown(data.at(-1) ?? null);
  }, [candles]);

  useEffect(() => {
    const p = toChartNumber(live);
    const last = bars.current.at(-1);
    if (!Number.isFinite(p) || !last || !priceSeries.current || !volumeSeries.current) return;
    const size = CANDLE_MS[interval] / 1000;
    const bucket = (Math.floor(Date.now() / 1000 / size) * size) as UTCTimestamp;
    let bar: Bar;
    if (bucket > last.time) {
      bar = { time: bucket, open: last.close, high: Math.max(last.close, p), low: Math.min(last.close, p), close: p, volume: 0 };
      bars.current.push(bar);
    } else {
      bar = { ...last, high: Math.max(last.high, p), low: Math.min(last.low, p), close: p };
      bars.current[bars.current.length - 1] = bar;
    }
    priceSeries.current.update(bar);
    volumeSeries.current.update(volumeBar(bar));
    if (!hovering) setShown(bar);
  }, [live, interval, hovering]);

  const up = shown ? shown.close >= shown.open : true;
  return (
    <div className="candle-chart" data-testid="candle-chart" data-candles={candles.length} data-interval={interval}>
      <div className="candle-legend num" data-testid="candle-legend" aria-live="off">
        {shown ? (
          <>
            <span className="muted">{new Date(shown.time * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC</span>
            <span>
              O <b className={up ? 'up' : 'down'}>{formatAxisUsd(shown.open)}</b>
            </span>
            <span>
              H <b className={up ? 'up' : 'down'}>{formatAxisUsd(shown.high)}</b>
            </span>
            <span>
              L <b className={up ? 'up' : 'down'}>{formatAxisUsd(shown.low)}</b>
            </span>
            <span>
              C <b className={up ? 'up' : 'down'}>{formatAxisUsd(shown.close)}</b>
            </span>
            <span>
              V <b>{formatAxisVolume(shown.volume)}</b>
            </span>
          </>
        ) : (
          <span className="muted">No candles yet for this range: they are built from the price feed as it runs.</span>
        )}
      </div>
      <div ref={box} className="chart-box" style={{ height }} role="img" aria-label={label} />
    </div>
  );
}
