// Line charts for loss and cost curves, optionally on a log-y axis. Pure function of the data.
import { el, lineEl, px, svgRoot, textEl, toSvg, type SvgNode } from "./svg.ts";

export interface Series {
  name: string;
  points: [number, number][];
}

export interface CurvesOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log-10 y axis; points with y ≤ 0 cannot be placed on it and are skipped. */
  logY?: boolean;
  width?: number;
  height?: number;
}

export const SERIES_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"];

const PAD = { left: 64, right: 16, top: 40, bottom: 48 };

/** One polyline per series with at least one drawable point; non-finite points are skipped. */
export function drawCurves(series: Series[], opts: CurvesOptions): string {
  return toSvg(curvesScene(series, opts));
}

/** The chart as an SVG tree (svg.ts): what drawCurves writes, and what the page patches live. */
export function curvesScene(series: Series[], opts: CurvesOptions): SvgNode {
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const toY = opts.logY ? Math.log10 : (v: number) => v;
  const drawable = series.map((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!opts.logY || y > 0)));
  const all = drawable.flat();
  const xs = extent(all.map(([x]) => x));
  const ys = extent(all.map(([, y]) => toY(y)));
  const xTicks = linearTicks(xs[0], xs[1]);
  const yTicks = opts.logY ? decadeTicks(ys[0], ys[1]) : linearTicks(ys[0], ys[1]);
  // The y axis is widened to whole ticks so the curve never touches the frame unlabelled.
  const [y0, y1] = [Math.min(ys[0], yTicks[0]), Math.max(ys[1], yTicks[yTicks.length - 1])];

  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - xs[0]) / (xs[1] - xs[0])) * plotW;
  const sy = (v: number): number => PAD.top + plotH - ((v - y0) / (y1 - y0)) * plotH;

  const parts: SvgNode[] = [];
  parts.push(textEl(width / 2, 24, opts.title, { "text-anchor": "middle", "font-size": "15", "font-weight": "600" }));
  parts.push(el("rect", { x: PAD.left, y: PAD.top, width: plotW, height: plotH, fill: "none", stroke: "#9ca3af" }));
  const tickText = { "font-size": "10", fill: "#374151" };
  for (const t of xTicks.filter((t) => t >= xs[0] && t <= xs[1])) {
    parts.push(lineEl(sx(t), PAD.top + plotH, sx(t), PAD.top + plotH + 4, { stroke: "#9ca3af" }));
    parts.push(textEl(sx(t), PAD.top + plotH + 16, formatTick(t), { "text-anchor": "middle", ...tickText }));
  }
  for (const t of yTicks) {
    parts.push(lineEl(PAD.left, sy(t), PAD.left + plotW, sy(t), { stroke: "#e5e7eb" }));
    parts.push(textEl(PAD.left - 6, sy(t) + 3, opts.logY ? `1e${t}` : formatTick(t), { "text-anchor": "end", ...tickText }));
  }
  parts.push(textEl(PAD.left + plotW / 2, height - 10, opts.xLabel, { "text-anchor": "middle", "font-size": "12" }));
  const yMid = PAD.top + plotH / 2;
  parts.push(textEl(16, yMid, opts.yLabel,
    { "text-anchor": "middle", "font-size": "12", transform: `rotate(-90 16 ${px(yMid)})` }));
  if (all.length === 0) parts.push(textEl(PAD.left + plotW / 2, yMid, "no data", { "text-anchor": "middle", fill: "#6b7280" }));

  drawable.forEach((points, k) => {
    if (points.length === 0) return;
    const color = SERIES_COLORS[k % SERIES_COLORS.length];
    const coords = points.map(([x, y]) => `${px(sx(x))},${px(sy(toY(y)))}`).join(" ");
    parts.push(el("polyline", { points: coords, fill: "none", stroke: color, "stroke-width": "1.5" }));
  });
  series.forEach((s, k) => {
    const y = PAD.top + 14 + 16 * k;
    const x = PAD.left + plotW - 120;
    const color = SERIES_COLORS[k % SERIES_COLORS.length];
    parts.push(lineEl(x, y - 4, x + 18, y - 4, { stroke: color, "stroke-width": "2" }));
    parts.push(textEl(x + 24, y, s.name, { "font-size": "11" }));
  });
  return svgRoot(width, height, parts);
}

/** [min, max] of the values; a single value or none gets a unit-wide range so scales stay finite. */
function extent(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** About five ticks at a step of 1, 2 or 5 × 10^k, from at or below lo to at or above hi. */
function linearTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // Integer multiples, so rounding does not accumulate along the axis.
  for (let i = Math.floor(lo / step); i <= Math.ceil(hi / step); i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Whole decades (exponents) covering [lo, hi] in log10 units. */
function decadeTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) ticks.push(k);
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(0) : String(Number(v.toPrecision(6)));
}
