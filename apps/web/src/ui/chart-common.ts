import type { CandleInterval } from '@cryptovault/contract';

/**
 * One set of chart ranges for every chart page (asset, trade, dashboard): the same labels, the same order. Each
 * range says which candle size draws it and how many candles that is.
 */
export const CHART_RANGES = [
  { id: '1D', label: '1D', candle: '15m', candles: 96, days: 1 },
  { id: '1W', label: '1W', candle: '1h', candles: 168, days: 7 },
  { id: '1M', label: '1M', candle: '4h', candles: 180, days: 30 },
  { id: '1Y', label: '1Y', candle: '1d', candles: 365, days: 365 },
] as const satisfies readonly { id: string; label: string; candle: CandleInterval; candles: number; days: number }[];
export type ChartRange = (typeof CHART_RANGES)[number];
export type ChartRangeId = ChartRange['id'];

export const chartRange = (id: ChartRangeId): ChartRange => CHART_RANGES.find((r) => r.id === id) ?? CHART_RANGES[0];

/**
 * Axis labels for USD prices and values (the figures on the page come from decimal strings): "$96,295.49",
 * "$0.364", "$0.20", "-$12.50": cents at least, and up to 6 places below a dollar, so an axis from $0 to $1 reads
 * "$0.00 … $0.20 … $1.00". A value that rounds to zero is "$0.00", never "$-0.0000".
 */
export function formatAxisUsd(p: number): string {
  const small = Math.abs(p) < 1;
  const digits = small ? 6 : 2;
  if (Math.abs(p) < 0.5 * 10 ** -digits) return '$0.00';
  const text = Math.abs(p).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits });
  return `${p < 0 ? '-' : ''}$${text}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Time-axis labels (lightweight-charts' tickMarkFormatter; `type` is its TickMarkType: 0 year, 1 month, 2 day,
 * 3 time, 4 time with seconds). A new day reads "Dec 4", not a bare "4"; a new month "Dec", a new year "2026"; times
 * keep the chart's own "13:00" (null). Times are UTC, as the chart and its legend show them.
 */
export function formatTimeTick(time: unknown, type: number): string | null {
  if (typeof time !== 'number') return null;
  const d = new Date(time * 1000);
  if (type === 0) return String(d.getUTCFullYear());
  if (type === 1) return MONTHS[d.getUTCMonth()] ?? null;
  if (type === 2) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return null;
}

/** Volume axis and legend: "$1.2M", "$830K". */
export function formatAxisVolume(v: number): string {
  return `$${v.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 })}`;
}
