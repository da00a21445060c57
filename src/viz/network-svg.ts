// The network picture (docs/pictures.md): neurons at their coordinates, layers stacked from the input
// (bottom) to the output (top), one line per weight whose width is |w| / max|W| of its layer, blue if
// positive, red if negative. A circuit is drawn over it: kept edges solid, pruned ones faint.
// A pure function of the snapshot: the same model always gives the same tree and the same bytes.
import { layerCoords } from "../model/coords.ts";
import type { ModelSnapshot } from "../model/spec.ts";
import { selectEdges } from "./edge-selection.ts";
import { el, lineEl, px, svgRoot, textEl, toSvg, type SvgNode } from "./svg.ts";

/** One mask per weight layer, row-major like the weights (out × in): 1 = the edge is in the circuit. */
export interface CircuitMask {
  kept: Uint8Array[];
}

export interface DrawNetworkOptions {
  /** Picture width in px (default 640); the height follows from the layer count. */
  width?: number;
  /** Names of the original input features (indexed like inPerm's values); default x1, x2, … */
  inputNames?: string[];
  /** Names of the original outputs (indexed like outPerm's values); default y1, y2, … */
  outputNames?: string[];
  /** At most this many lines per weight layer, the strongest (default 1500). */
  maxLinesPerLayer?: number;
  circuit?: CircuitMask;
  /** With a circuit: draw pruned edges faint grey (default) or not at all. */
  showPruned?: boolean;
  title?: string;
  caption?: string;
  /** A key under the picture (line colours and widths), so a saved file explains itself (default on). */
  legend?: boolean;
}

export const WEIGHT_COLORS = { positive: "#2563eb", negative: "#dc2626", pruned: "#d1d5db" };

const MARGIN = 30;
const MAX_LABELS = 64; // beyond this, labels overlap into an unreadable band (e.g. 784 pixels)
const CROWDED = 16; // beyond this many slots, horizontal labels of a line layer run into each other

type Point = [number, number];

interface Geometry {
  height: number;
  /** Screen position of layer l's coordinate (x, y) ∈ [0, 1]². */
  project(l: number, x: number, y: number): Point;
  /** Screen distance between neighbouring slots of layer l. */
  pitch(l: number): number;
  maxStroke: number;
  /** Outline of layer l's plane (grid layout only). */
  outline?(l: number): Point[];
}

/** The network picture as SVG text. */
export function drawNetwork(s: ModelSnapshot, opts: DrawNetworkOptions = {}): string {
  return toSvg(networkScene(s, opts));
}

const LEGEND_ROW = 18;
const LEGEND_ITEM = 96;
const LEGEND_NOTE = "line width ∝ |w| / max |w| of its layer";
/** Rough text advance of 11 px system-ui, to decide whether the legend fits on one row. */
const CHAR_PX = 6.2;

/** Rows the legend needs at this width: the swatches and the width note side by side, or stacked. */
export function legendRows(width: number, circuit: boolean): number {
  return (circuit ? 3 : 2) * LEGEND_ITEM + CHAR_PX * LEGEND_NOTE.length <= width - 2 * MARGIN ? 1 : 2;
}

/** The network picture as an SVG tree (svg.ts): what drawNetwork writes, and what the page patches live. */
export function networkScene(s: ModelSnapshot, opts: DrawNetworkOptions = {}): SvgNode {
  checkCircuit(s, opts.circuit);
  const width = opts.width ?? 640;
  const last = s.spec.shape.length - 1;
  // Crowded line layers get vertical labels, which need more room above and below.
  const crowded = s.spec.layout === "line" && Math.max(s.inPerm.length, s.outPerm.length) > CROWDED;
  const labelRoom = crowded ? 34 : 18;
  const top = 12 + (opts.title ? 28 : 0) + labelRoom;
  const withLegend = opts.legend ?? true;
  const legendRoom = withLegend ? 4 + LEGEND_ROW * legendRows(width, opts.circuit !== undefined) : 0;
  const bottom = 12 + (opts.caption ? 24 : 0) + legendRoom + labelRoom;
  const g = s.spec.layout === "grid" ? gridGeometry(width, s, top, bottom) : lineGeometry(width, s, top, bottom);
  const positions = s.spec.shape.map((_, l) => neuronPositions(s, l, g));

  const parts: SvgNode[] = [];
  if (opts.title) parts.push(textEl(width / 2, 26, opts.title, { "text-anchor": "middle", "font-size": "15", "font-weight": "600" }));
  if (g.outline) {
    for (let l = 0; l <= last; l++) {
      const points = g.outline(l).map(([x, y]) => `${px(x)},${px(y)}`).join(" ");
      parts.push(el("polygon", { points, fill: "#f3f4f6", stroke: "#d1d5db" }));
    }
  }
  s.layers.forEach((layer, l) => parts.push(weightLines(layer.weight, positions[l], positions[l + 1], g.maxStroke,
    opts.circuit?.kept[l], opts)));
  positions.forEach((layer, l) => {
    const r = px(Math.min(4, Math.max(0.8, (0.3 * g.pitch(l)) / (l === 0 ? s.spec.inFold : 1))));
    parts.push(el("g", { fill: "#111827" }, layer.map(([x, y]) => el("circle", { cx: x, cy: y, r }))));
  });
  parts.push(el("g", {}, labels(s, g, opts)));
  const foot = g.height - 10 - legendRoom;
  if (opts.caption) {
    parts.push(textEl(width / 2, foot, opts.caption, { "text-anchor": "middle", "font-size": "11", fill: "#4b5563" }));
  }
  if (withLegend) parts.push(legend(width, g.height - 8 - legendRoom, opts.circuit !== undefined));
  return svgRoot(width, g.height, parts);
}

/** Swatches saying what the colours mean, and a note that width follows |w| within a layer; from `top` down. */
export function legend(width: number, top: number, circuit: boolean): SvgNode {
  const { positive, negative, pruned } = WEIGHT_COLORS;
  const items: [string, string][] = [[positive, circuit ? "kept, w > 0" : "w > 0"],
    [negative, circuit ? "kept, w < 0" : "w < 0"]];
  if (circuit) items.push([pruned, "pruned"]);
  const noteWidth = CHAR_PX * LEGEND_NOTE.length;
  const oneRow = legendRows(width, circuit) === 1;
  let x = (width - items.length * LEGEND_ITEM - (oneRow ? noteWidth : 0)) / 2;
  const y = top + LEGEND_ROW - 4; // text baseline of the first row
  const out: SvgNode[] = [];
  for (const [color, label] of items) {
    out.push(el("rect", { x, y: y - 7, width: 18, height: 4, fill: color }));
    out.push(textEl(x + 24, y - 2, label, { "font-size": "11", fill: "#374151" }));
    x += LEGEND_ITEM;
  }
  if (oneRow) out.push(textEl(x, y - 2, LEGEND_NOTE, { "font-size": "11", fill: "#374151" }));
  else out.push(textEl(width / 2, y - 2 + LEGEND_ROW, LEGEND_NOTE, { "text-anchor": "middle", "font-size": "11", fill: "#374151" }));
  return el("g", { class: "legend" }, out);
}

function checkCircuit(s: ModelSnapshot, circuit: CircuitMask | undefined): void {
  if (!circuit) return;
  if (circuit.kept.length !== s.layers.length) {
    throw new Error(`circuit.kept has ${circuit.kept.length} masks, ` +
      `expected one per weight layer (${s.layers.length})`);
  }
  circuit.kept.forEach((mask, l) => {
    if (mask.length !== s.layers[l].weight.length) {
      throw new Error(`circuit.kept[${l}] has ${mask.length} entries, expected ${s.layers[l].weight.length} ` +
        `(out ${s.spec.shape[l + 1]} × in ${s.spec.shape[l]})`);
    }
  });
}

// 1-D: each layer a horizontal row of slots.
function lineGeometry(width: number, s: ModelSnapshot, top: number, bottom: number): Geometry {
  const last = s.spec.shape.length - 1;
  // 110 px between layers; a narrow picture (a phone) gets shallower layers so it stays on screen.
  const gap = Math.min(110, Math.max(60, 0.2 * width));
  const plot = width - 2 * MARGIN;
  return {
    height: top + last * gap + bottom,
    project: (l, x) => [MARGIN + x * plot, top + (last - l) * gap],
    pitch: (l) => plot / layerCoords(s.spec, l).x.length,
    maxStroke: 3,
  };
}

// 2-D: each layer a square seen at a slant (a parallelogram), image row 0 at the far edge so a
// digit reads upright; the output ring becomes an ellipse on the top plane.
function gridGeometry(width: number, s: ModelSnapshot, top: number, bottom: number): Geometry {
  const last = s.spec.shape.length - 1;
  const plot = width - 2 * MARGIN;
  const skew = 0.2 * plot;
  const side = plot - skew;
  const depth = 0.3 * side;
  const pitch = depth + 70;
  const project = (l: number, x: number, y: number): Point => {
    const far = 1 - y;
    return [MARGIN + x * side + far * skew, top + (last - l) * pitch + depth - far * depth];
  };
  return {
    height: top + last * pitch + depth + bottom,
    project,
    // Rows are squashed to `depth`, so the row spacing is the tighter one.
    pitch: (l) => depth / Math.ceil(Math.sqrt(layerCoords(s.spec, l).x.length)),
    maxStroke: 1.2,
    outline: (l) => [project(l, 0, 0), project(l, 1, 0), project(l, 1, 1), project(l, 0, 1)],
  };
}

// Folded inputs (inFold F): column f·n + s sits at slot s; the F neurons of a slot are drawn side
// by side, centred on the slot, so shared slots stay visible.
function neuronPositions(s: ModelSnapshot, l: number, g: Geometry): Point[] {
  const { x, y } = layerCoords(s.spec, l);
  const folds = l === 0 ? s.spec.inFold : 1;
  const offset = Math.min(8, (0.8 * g.pitch(l)) / folds);
  return Array.from({ length: s.spec.shape[l] }, (_, c) => {
    const slot = c % x.length;
    const [px0, py0] = g.project(l, x[slot], y[slot]);
    return [px0 + (Math.floor(c / x.length) - (folds - 1) / 2) * offset, py0];
  });
}

function weightLines(weight: number[], from: Point[], to: Point[], maxStroke: number, mask: Uint8Array | undefined,
  opts: DrawNetworkOptions): SvgNode {
  let maxAbs = 0;
  for (const w of weight) maxAbs = Math.max(maxAbs, Math.abs(w));
  const { kept, pruned } = selectEdges(weight, mask, opts.maxLinesPerLayer ?? 1500, opts.showPruned ?? true);
  const nIn = from.length;
  const line = (e: number, stroke: string): SvgNode => {
    const [[x1, y1], [x2, y2]] = [from[e % nIn], to[Math.floor(e / nIn)]];
    const widthPx = (maxStroke * Math.abs(weight[e])) / maxAbs;
    return lineEl(x1, y1, x2, y2, { stroke, "stroke-width": widthPx.toFixed(3) });
  };
  const { positive, negative, pruned: grey } = WEIGHT_COLORS;
  return el("g", { "stroke-linecap": "round" }, [
    ...(pruned.length > 0 ? [el("g", { "stroke-opacity": "0.6" }, pruned.map((e) => line(e, grey)))] : []),
    ...kept.map((e) => line(e, weight[e] > 0 ? positive : negative)),
  ]);
}

// Labels follow the perms, so the learned arrangement of features shows: input slot s reads original
// feature inPerm[s]; output slot p holds original output outPerm[p].
function labels(s: ModelSnapshot, g: Geometry, opts: DrawNetworkOptions): SvgNode[] {
  const last = s.spec.shape.length - 1;
  const out: SvgNode[] = [];
  const attrs = { "text-anchor": "middle", "font-size": "10", fill: "#374151" };
  // Vertical text for crowded line layers, reading upwards, anchored at the neuron.
  const vertical = (x: number, y: number, anchor: "start" | "end") =>
    ({ "text-anchor": anchor, "font-size": "8", fill: "#374151", transform: `rotate(-90 ${px(x)} ${px(y)})` });
  const inputs = layerCoords(s.spec, 0);
  if (s.inPerm.length <= MAX_LABELS) {
    s.inPerm.forEach((feature, slot) => {
      const [x, y] = g.project(0, inputs.x[slot], inputs.y[slot]);
      // With an embedding the input slots are embedding dimensions, not the task's named inputs (tokens).
      const name = s.spec.embed ? `e${feature + 1}` : (opts.inputNames?.[feature] ?? `x${feature + 1}`);
      if (!g.outline && s.inPerm.length > CROWDED) out.push(textEl(x + 3, y + 6, name, vertical(x + 3, y + 6, "end")));
      else out.push(textEl(x, y + 16, name, attrs));
    });
  }
  const outputs = layerCoords(s.spec, last);
  const [cx, cy] = g.project(last, 0.5, 0.5);
  if (s.outPerm.length <= MAX_LABELS) {
    s.outPerm.forEach((original, slot) => {
      const [x, y] = g.project(last, outputs.x[slot], outputs.y[slot]);
      const name = opts.outputNames?.[original] ?? `y${original + 1}`;
      if (!g.outline) {
        if (s.outPerm.length > CROWDED) out.push(textEl(x + 3, y - 6, name, vertical(x + 3, y - 6, "start")));
        else out.push(textEl(x, y - 9, name, attrs));
        return;
      }
      // On the ring, push each label outward from the centre.
      const len = Math.hypot(x - cx, y - cy) || 1;
      out.push(textEl(x + (14 * (x - cx)) / len, y + (14 * (y - cy)) / len + 3, name, attrs));
    });
  }
  return out;
}
