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
 * "$0.3640", "-$12.50". A value that rounds to zero is "$0.00", never "$-0.0000".
 */
export function formatAxisUsd(p: number): string {
  const small = Math.abs(p) < 1;
  const digits = small ? 4 : 2;
  if (Math.abs(p) < 0.5 * 10 ** -digits) return '$0.00';
  const text = Math.abs(p).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: small ? 6 : 2 });
  return `${p < 0 ? '-' : ''}$${text}`;
}

/** Volume axis and legend: "$1.2M", "$830K". */
export function formatAxisVolume(v: number): string {
  return `$${v.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 })}`;
}
