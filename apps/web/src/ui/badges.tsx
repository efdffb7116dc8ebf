const TONE: Record<string, string> = {
  open: 'badge-info',
  closed: 'badge-ok',
  filled: 'badge-ok',
  finished: 'badge-ok',
  completed: 'badge-ok',
  approved: 'badge-info',
  confirmed: 'badge-info',
  confirming: 'badge-warn',
  sending: 'badge-warn',
  waiting: 'badge-warn',
  pending_review: 'badge-warn',
  partially_paid: 'badge-warn',
  canceled: '',
  expired: '',
  rejected: 'badge-bad',
  failed: 'badge-bad',
  refunded: 'badge-bad',
};

const LABEL: Record<string, string> = {
  closed: 'filled',
  pending_review: 'pending review',
  partially_paid: 'partially paid',
  stop_loss: 'stop-loss',
  take_profit: 'take-profit',
  stop_limit: 'stop-limit',
};

export const humanize = (s: string): string => LABEL[s] ?? s.replace(/_/g, ' ');

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${TONE[status] ?? ''}`}>{humanize(status)}</span>;
}

/** A hue per symbol (stable across renders and pages), so icons tell assets apart at a glance. */
function symbolHue(symbol: string): number {
  let h = 0;
  for (const ch of symbol) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

/** Letters that fit the icon: five at most; longer symbols are abbreviated and the whole symbol goes in a title. */
export const ICON_MAX_LETTERS = 5;

/**
 * The round icon of an asset: its symbol drawn in an SVG, so any symbol fits the circle. Up to three letters keep
 * one size; four and five letters (DOGE, USDT, MATIC) are drawn smaller and squeezed to the inner width
 * (`textLength`); longer ones show their first four letters with the full symbol as a tooltip. Decorative for
 * screen readers: the symbol or name is always written next to it.
 */
export function AssetIcon({ symbol, size = 28 }: { symbol: string; size?: number }) {
  const upper = symbol.toUpperCase();
  const abbreviated = upper.length > ICON_MAX_LETTERS;
  const text = abbreviated ? upper.slice(0, 4) : upper;
  const fontSize = text.length <= 2 ? 13 : text.length === 3 ? 11 : text.length === 4 ? 9.5 : 8;
  // The circle's inner width at the baseline is ~26 of 32 units; 4+ letters are fitted to 22/24 of them.
  const fit = text.length >= 4 ? { textLength: text.length === 4 ? 22 : 24, lengthAdjust: 'spacingAndGlyphs' as const } : {};
  const hue = symbolHue(upper);
  return (
    <svg className="asset-icon" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" data-symbol={upper}>
      {abbreviated && <title>{upper}</title>}
      <circle cx="16" cy="16" r="15.5" fill={`hsl(${hue} 45% 22%)`} stroke={`hsl(${hue} 55% 45%)`} strokeWidth="1" />
      <text x="16" y="16" dy="0.35em" textAnchor="middle" fontSize={fontSize} fontWeight="700" fill="#f1f4f9" {...fit}>
        {text}
      </text>
    </svg>
  );
}
