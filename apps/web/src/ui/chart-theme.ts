import { ColorType, type DeepPartial, type IChartApi, type TimeChartOptions } from 'lightweight-charts';
import { formatAxisUsd, formatTimeTick } from './chart-common.ts';

/**
 * The look every chart shares (imported only by the lazily loaded chart components). The time scale keeps a few
 * bars of room on the right, so the last time label is drawn whole ("12:00", not "12:0").
 */
export const CHART_OPTIONS: DeepPartial<TimeChartOptions> = {
  autoSize: true,
  layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#9aa4b2', attributionLogo: false, fontSize: 11 },
  grid: { vertLines: { color: '#1c2538' }, horzLines: { color: '#1c2538' } },
  rightPriceScale: { borderColor: '#26324a' },
  timeScale: { borderColor: '#26324a', timeVisible: true, secondsVisible: false, rightOffset: 4, tickMarkFormatter: formatTimeTick },
  crosshair: { mode: 0 },
  localization: { priceFormatter: formatAxisUsd },
};

/** Room (px) kept free at each end of the time scale: about half a time label ("08:30"). */
const EDGE_ROOM_PX = 28;

/**
 * Shows all `count` points with room on both sides, so the first and last time labels are drawn whole at any
 * width (fitContent alone cuts them in half at the edges: "12:0").
 */
export function fitWithRoom(chart: IChartApi, count: number): void {
  if (count <= 0) return;
  const width = chart.timeScale().width();
  // Not laid out yet: fit everything now, the resize observer refits with room once there is a width.
  if (width <= 2 * EDGE_ROOM_PX) {
    chart.timeScale().fitContent();
    return;
  }
  const spacing = Math.max(0.5, (width - 2 * EDGE_ROOM_PX) / count);
  const room = Math.max(1, EDGE_ROOM_PX / spacing);
  chart.timeScale().setVisibleLogicalRange({ from: -room, to: count - 1 + room });
}

/** Refits when the chart's box changes size (a phone turned, a window resized); returns the disconnect. */
export function refitOnResize(el: HTMLElement, fit: () => void): () => void {
  let width = -1;
  const ro = new ResizeObserver(() => {
    if (el.clientWidth === width) return;
    width = el.clientWidth;
    requestAnimationFrame(fit);
  });
  ro.observe(el);
  return () => ro.disconnect();
}
