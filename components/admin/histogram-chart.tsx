'use client';

export interface ChartSeries {
  label: string;
  counts: number[];
  /** Tailwind fill and stroke classes of the series' area. */
  tone: string;
  swatch: string;
}

export interface ChartMarker {
  label: string;
  value: number;
  /** Tailwind stroke and fill classes of the line and its label. */
  tone: string;
}

const WIDTH = 760;
const HEIGHT = 230;
const PAD = { left: 52, right: 14, top: 26, bottom: 30 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
/** The log scale reaches down to the decade of the smallest share, but no lower than one in a million. */
function logFloor(shares: number[][]): number {
  const smallest = Math.min(...shares.flat().filter((share) => share > 0));
  return Number.isFinite(smallest) ? Math.min(-1, Math.max(-6, Math.floor(Math.log10(smallest)))) : -1;
}

/** The bins worth drawing: where there is data or a marker, with a margin, on whole tenths. */
function visibleRange(series: ChartSeries[], markers: ChartMarker[], from: number, binWidth: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    s.counts.forEach((count, bin) => {
      if (count === 0) return;
      lo = Math.min(lo, from + bin * binWidth);
      hi = Math.max(hi, from + (bin + 1) * binWidth);
    });
  }
  for (const marker of markers) {
    lo = Math.min(lo, marker.value);
    hi = Math.max(hi, marker.value);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return [Math.max(-1, Math.floor(lo * 10 - 0.5) / 10), Math.min(1, Math.ceil(hi * 10 + 0.5) / 10)];
}

const percent = (share: number) => (share >= 0.01 ? `${Math.round(share * 100)}%` : `${+(share * 100).toPrecision(1)}%`);

/**
 * Distributions as shares of their own total (same-person pairs are far fewer than different-person
 * ones), on a log scale by default: the thin tails where the groups overlap are what a threshold
 * is chosen by, and on a linear scale they vanish.
 */
export function HistogramChart({
  title,
  series,
  markers,
  from,
  binWidth,
  scale,
}: {
  title: string;
  series: ChartSeries[];
  markers: ChartMarker[];
  from: number;
  binWidth: number;
  scale: 'log' | 'linear';
}) {
  const [lo, hi] = visibleRange(series, markers, from, binWidth);
  const x = (value: number) => PAD.left + ((value - lo) / (hi - lo)) * PLOT_W;
  const shares = series.map((s) => {
    const total = s.counts.reduce((sum, n) => sum + n, 0);
    return s.counts.map((n) => (total ? n / total : 0));
  });
  const maxShare = Math.max(1e-9, ...shares.flat());
  const floor = logFloor(shares);
  const y =
    scale === 'log'
      ? (share: number) => PAD.top + PLOT_H * (share > 0 ? Math.min(1, Math.log10(share) / floor) : 1)
      : (share: number) => PAD.top + PLOT_H * (1 - share / maxShare);
  const base = PAD.top + PLOT_H;
  const decadeStep = floor < -4 ? 2 : 1;
  const yTicks = scale === 'log' ? Array.from({ length: Math.floor(-floor / decadeStep) + 1 }, (_, k) => 10 ** (-k * decadeStep)) : [0, maxShare / 2, maxShare];
  const xTicks: number[] = [];
  for (let t = Math.round(lo * 10); t <= Math.round(hi * 10); t++) xTicks.push(t / 10);
  const labelEvery = xTicks.length > 12 ? 2 : 1;

  const area = (values: number[]) => {
    let d = `M ${x(lo)} ${base}`;
    values.forEach((share, bin) => {
      const x0 = from + bin * binWidth;
      const x1 = x0 + binWidth;
      if (x1 <= lo || x0 >= hi) return;
      const top = share > 0 ? y(share) : base;
      d += ` L ${x(Math.max(x0, lo))} ${top} L ${x(Math.min(x1, hi))} ${top}`;
    });
    return `${d} L ${x(hi)} ${base} Z`;
  };

  return (
    <figure className="space-y-2">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="w-full" role="img" aria-label={title}>
        {yTicks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} className="stroke-stone-200 dark:stroke-stone-800" />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="fill-stone-500 text-[11px] dark:fill-stone-400">
              {percent(tick)}
            </text>
          </g>
        ))}
        {shares.map((values, index) => (
          <path key={series[index].label} d={area(values)} className={series[index].tone} strokeWidth={1.2} />
        ))}
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={base} y2={base} className="stroke-stone-400 dark:stroke-stone-600" />
        {xTicks.map((tick, index) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={base} y2={base + 4} className="stroke-stone-400 dark:stroke-stone-600" />
            {index % labelEvery === 0 && (
              <text x={x(tick)} y={base + 17} textAnchor="middle" className="fill-stone-500 text-[11px] dark:fill-stone-400">
                {tick.toFixed(1)}
              </text>
            )}
          </g>
        ))}
        {markers.map((marker, index) => {
          const mx = x(marker.value);
          const anchor = mx > WIDTH - 140 ? 'end' : 'start';
          return (
            <g key={marker.label} className={marker.tone} data-testid="threshold-marker">
              <line x1={mx} x2={mx} y1={PAD.top - 4} y2={base} strokeWidth={2} strokeDasharray={index > 0 ? '5 3' : undefined} />
              <text x={anchor === 'start' ? mx + 4 : mx - 4} y={PAD.top - 8 + index * 13} textAnchor={anchor} className="stroke-none text-[11px] font-medium">
                {marker.label} {marker.value.toFixed(2)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-600 dark:text-stone-400">
        {series.map((s) => (
          <span key={s.label} className="flex items-center gap-1.5">
            <span className={`inline-block h-2.5 w-2.5 rounded-sm ${s.swatch}`} />
            {s.label}
          </span>
        ))}
        <span>{scale === 'log' ? 'share of each group per 0.01, log scale' : 'share of each group per 0.01'}</span>
      </figcaption>
    </figure>
  );
}
