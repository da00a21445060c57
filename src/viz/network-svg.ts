// The network picture (spec/bimt.md "Pictures"): neurons at their coordinates, layers stacked from
// the input (bottom) to the output (top), one line per weight whose width is |w| / max|W| of its layer,
// blue if positive, red if negative. A circuit is drawn over it: kept edges solid, pruned ones faint.
// A pure function of the snapshot: the same model always gives the same bytes.
import { layerCoords } from "../model/coords.ts";
import type { ModelSnapshot } from "../model/spec.ts";
import { selectEdges } from "./edge-selection.ts";
import { px, svgOpen, text } from "./svg.ts";

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

export function drawNetwork(s: ModelSnapshot, opts: DrawNetworkOptions = {}): string {
  checkCircuit(s, opts.circuit);
  const width = opts.width ?? 640;
  const last = s.spec.shape.length - 1;
  // Crowded line layers get vertical labels, which need more room above and below.
  const crowded = s.spec.layout === "line" && Math.max(s.inPerm.length, s.outPerm.length) > CROWDED;
  const labelRoom = crowded ? 34 : 18;
  const top = 12 + (opts.title ? 28 : 0) + labelRoom;
  const bottom = 12 + (opts.caption ? 24 : 0) + labelRoom;
  const g = s.spec.layout === "grid" ? gridGeometry(width, s, top, bottom) : lineGeometry(width, s, top, bottom);
  const positions = s.spec.shape.map((_, l) => neuronPositions(s, l, g));

  const parts = [svgOpen(width, g.height)];
  if (opts.title) parts.push(text(width / 2, 26, opts.title, `text-anchor="middle" font-size="15" font-weight="600"`));
  if (g.outline) {
    for (let l = 0; l <= last; l++) {
      const points = g.outline(l).map(([x, y]) => `${px(x)},${px(y)}`).join(" ");
      parts.push(`<polygon points="${points}" fill="#f3f4f6" stroke="#d1d5db"/>`);
    }
  }
  s.layers.forEach((layer, l) => parts.push(weightLines(layer.weight, positions[l], positions[l + 1], g.maxStroke,
    opts.circuit?.kept[l], opts)));
  positions.forEach((layer, l) => {
    const r = Math.min(4, Math.max(0.8, (0.3 * g.pitch(l)) / (l === 0 ? s.spec.inFold : 1)));
    const dots = layer.map(([x, y]) => `<circle cx="${px(x)}" cy="${px(y)}" r="${px(r)}"/>`);
    parts.push(`<g fill="#111827">${dots.join("")}</g>`);
  });
  parts.push(labels(s, g, opts));
  if (opts.caption) {
    parts.push(text(width / 2, g.height - 10, opts.caption, `text-anchor="middle" font-size="11" fill="#4b5563"`));
  }
  parts.push("</svg>");
  return parts.join("\n");
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
  const gap = 110;
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
  opts: DrawNetworkOptions): string {
  let maxAbs = 0;
  for (const w of weight) maxAbs = Math.max(maxAbs, Math.abs(w));
  const { kept, pruned } = selectEdges(weight, mask, opts.maxLinesPerLayer ?? 1500, opts.showPruned ?? true);
  const nIn = from.length;
  const line = (e: number, stroke: string): string => {
    const [[x1, y1], [x2, y2]] = [from[e % nIn], to[Math.floor(e / nIn)]];
    const widthPx = (maxStroke * Math.abs(weight[e])) / maxAbs;
    return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${stroke}" ` +
      `stroke-width="${widthPx.toFixed(3)}"/>`;
  };
  const { positive, negative, pruned: grey } = WEIGHT_COLORS;
  return [
    `<g stroke-linecap="round">`,
    ...(pruned.length > 0 ? [`<g stroke-opacity="0.6">`, ...pruned.map((e) => line(e, grey)), "</g>"] : []),
    ...kept.map((e) => line(e, weight[e] > 0 ? positive : negative)),
    "</g>",
  ].join("\n");
}

// Labels follow the perms, so the learned arrangement of features shows: input slot s reads original
// feature inPerm[s]; output slot p holds original output outPerm[p].
function labels(s: ModelSnapshot, g: Geometry, opts: DrawNetworkOptions): string {
  const last = s.spec.shape.length - 1;
  const out: string[] = [];
  const attrs = `text-anchor="middle" font-size="10" fill="#374151"`;
  // Vertical text for crowded line layers, reading upwards, anchored at the neuron.
  const vertical = (x: number, y: number, anchor: "start" | "end") =>
    `text-anchor="${anchor}" font-size="8" fill="#374151" transform="rotate(-90 ${x} ${y})"`;
  const inputs = layerCoords(s.spec, 0);
  if (s.inPerm.length <= MAX_LABELS) {
    s.inPerm.forEach((feature, slot) => {
      const [x, y] = g.project(0, inputs.x[slot], inputs.y[slot]);
      // With an embedding the input slots are embedding dimensions, not the task's named inputs (tokens).
      const name = s.spec.embed ? `e${feature + 1}` : (opts.inputNames?.[feature] ?? `x${feature + 1}`);
      if (!g.outline && s.inPerm.length > CROWDED) out.push(text(x + 3, y + 6, name, vertical(x + 3, y + 6, "end")));
      else out.push(text(x, y + 16, name, attrs));
    });
  }
  const outputs = layerCoords(s.spec, last);
  const [cx, cy] = g.project(last, 0.5, 0.5);
  if (s.outPerm.length <= MAX_LABELS) {
    s.outPerm.forEach((original, slot) => {
      const [x, y] = g.project(last, outputs.x[slot], outputs.y[slot]);
      const name = opts.outputNames?.[original] ?? `y${original + 1}`;
      if (!g.outline) {
        if (s.outPerm.length > CROWDED) out.push(text(x + 3, y - 6, name, vertical(x + 3, y - 6, "start")));
        else out.push(text(x, y - 9, name, attrs));
        return;
      }
      // On the ring, push each label outward from the centre.
      const len = Math.hypot(x - cx, y - cy) || 1;
      out.push(text(x + (14 * (x - cx)) / len, y + (14 * (y - cy)) / len + 3, name, attrs));
    });
  }
  return out.join("\n");
}
