// The transformer picture, the way the BIMT reference plots its BioTransformer: rows of neurons from
// the input (bottom) to the output (top): input, the residual stream after the embedding, then per
// block its attention layer and the residual stream after it, its MLP hidden layer and the residual
// stream after that, then the output. Neurons sit at their BIMT coordinates (src/model/
// transformer-coords.ts), so a trained model's local wiring shows. Each weight is a line between
// the rows it joins, width |w| / max|W| of its map, blue if positive, red if negative; a map read
// after a LayerNorm is drawn as its effective weights W·diag(gain), as the reference does.
// In the attention row, every slot shows its q, k and v neurons side by side (the qkv map is folded
// in 3) and each head's slots sit on a shaded band. Token inputs are drawn as the vocabulary with the
// embedding's lines; the positional embedding is not drawn. A pure function of the snapshot.
import { slotX } from "../model/transformer-coords.ts";
import type { TransformerSnapshot } from "../model/transformer-io.ts";
import { selectEdges } from "./edge-selection.ts";
import { legend, legendRows, WEIGHT_COLORS } from "./network-svg.ts";
import { el, lineEl, px, svgRoot, textEl, toSvg, type SvgNode } from "./svg.ts";
import { checkCircuitView, circuitLegend, circuitOverlay, CIRCUIT_LEGEND_HEIGHT, type TransformerCircuitView,
  type TransformerGeometry } from "./transformer-circuit-svg.ts";

export interface DrawTransformerOptions {
  /** Picture width in px (default 640); the height follows from the rows. */
  width?: number;
  /** At most this many lines per map, the strongest (default 1500). */
  maxLinesPerMap?: number;
  /** Names of the tokens (input and output rows of a language model). */
  tokenNames?: string[];
  /** Names of the vector inputs and of the outputs when there are no tokens. */
  inputNames?: string[];
  outputNames?: string[];
  title?: string;
  caption?: string;
  /** The colour and width key under the picture (default on). */
  legend?: boolean;
  /** A circuit to draw over the picture: its kept edges in colour, the weights in grey (transformer-circuit-svg.ts). */
  circuit?: TransformerCircuitView;
}

type Point = [number, number];

interface Row {
  label: string;
  n: number;
  /** q, k, v side by side (attention rows). */
  folds: number;
  heads: number;
}

interface Wire {
  from: number;
  to: number;
  /** Row-major (rows × cols) weights; rows are neurons of `to`, columns neurons of `from`. */
  w: ArrayLike<number>;
  rows: number;
  cols: number;
  /** The table's rows are the source neurons (the token embedding, vocab × dModel). */
  transposed?: boolean;
}

const MARGIN = 30;
const GAP = 72;
const RIGHT = 70; // room for the row labels
const MAX_LABELS = 64;

/** The transformer picture as SVG text. */
export function drawTransformer(s: TransformerSnapshot, opts: DrawTransformerOptions = {}): string {
  return toSvg(transformerScene(s, opts));
}

/** The transformer picture as an SVG tree (svg.ts), for files and for the page to patch live. */
export function transformerScene(s: TransformerSnapshot, opts: DrawTransformerOptions = {}): SvgNode {
  const { spec, tensors: t } = s;
  const width = opts.width ?? 640;
  const d = spec.dModel;
  const hd = spec.nHeads * spec.dHead;
  const ln = spec.norm === "layernorm";
  const rows: Row[] = [];
  const wires: Wire[] = [];
  const row = (label: string, n: number, folds = 1, heads = 1) => rows.push({ label, n, folds, heads }) - 1;

  const input = spec.vocab !== undefined ? row("tokens", spec.vocab) : row("input", spec.inDim!);
  let resid = row("embed", d);
  const embedRow = resid;
  const attnRows: number[] = [];
  const mlpRows: number[] = [];
  // tok is (vocab, dModel): token v writes tok[v, ·]; as a map from tokens to the stream it is tokᵀ.
  if (spec.vocab !== undefined) wires.push({ from: input, to: resid, w: t.tok, rows: spec.vocab, cols: d, transposed: true });
  else wires.push({ from: input, to: resid, w: t["in.weight"], rows: d, cols: spec.inDim! });
  for (let l = 0; l < spec.nLayers; l++) {
    const attn = row(`attn ${l}`, hd, 3, spec.nHeads);
    attnRows.push(attn);
    wires.push({ from: resid, to: attn, w: scaleColumns(t[`${l}.qkv.weight`], 3 * hd, d, ln ? t[`${l}.ln1.g`] : undefined), rows: 3 * hd, cols: d });
    resid = row("resid", d);
    wires.push({ from: attn, to: resid, w: t[`${l}.o.weight`], rows: d, cols: hd });
    if (spec.dMlp > 0) {
      const mlp = row(`MLP ${l}`, spec.dMlp);
      mlpRows.push(mlp);
      wires.push({ from: resid, to: mlp, w: scaleColumns(t[`${l}.mlp.in.weight`], spec.dMlp, d, ln ? t[`${l}.ln2.g`] : undefined), rows: spec.dMlp, cols: d });
      resid = row("resid", d);
      wires.push({ from: mlp, to: resid, w: t[`${l}.mlp.out.weight`], rows: d, cols: spec.dMlp });
    } else mlpRows.push(-1);
  }
  const output = row("output", spec.outDim);
  wires.push({ from: resid, to: output, w: scaleColumns(t["unembed.weight"], spec.outDim, d, ln ? t["lnf.g"] : undefined), rows: spec.outDim, cols: d });

  const circuit = opts.circuit;
  if (circuit) checkCircuitView(spec, circuit);
  const withLegend = opts.legend ?? true;
  const legendRoom = !withLegend ? 0 : circuit ? CIRCUIT_LEGEND_HEIGHT : 4 + 18 * legendRows(width, false);
  const top = 14 + (opts.title ? 28 : 0) + 40;
  const bottom = 14 + (opts.caption ? 24 : 0) + legendRoom + 40;
  const height = top + (rows.length - 1) * GAP + bottom;
  const plot = width - MARGIN - RIGHT;
  const y = (r: number) => top + (rows.length - 1 - r) * GAP;
  const pitch = (r: number) => plot / rows[r].n;
  // Neuron j of row r (for attention rows, j < 3·n: fold f = ⌊j / n⌋ is q, k or v of slot j mod n).
  const at = (r: number, j: number): Point => {
    const { n, folds } = rows[r];
    const slot = j % n;
    const f = Math.floor(j / n);
    const off = folds > 1 ? (f - (folds - 1) / 2) * Math.min(6, (0.8 * pitch(r)) / folds) : 0;
    return [MARGIN + slotX(slot, n) * plot + off, y(r)];
  };
  const centre = (r: number, slot: number): Point => [MARGIN + slotX(slot, rows[r].n) * plot, y(r)];

  const parts: SvgNode[] = [];
  if (opts.title) parts.push(textEl(width / 2, 26, opts.title, { "text-anchor": "middle", "font-size": "15", "font-weight": "600" }));
  const max = opts.maxLinesPerMap ?? 1500;
  // Under a circuit the weights are the grey ground the circuit's edges are drawn on.
  const weights = wires.map((wire) => lines(wire, rows, at, centre, max, circuit !== undefined));
  parts.push(...(circuit ? [el("g", { "stroke-opacity": "0.45" }, weights)] : weights));
  // Head outlines over the attention rows' lines, so a head's slots read as one group.
  rows.forEach((rw, r) => {
    if (rw.heads <= 1) return;
    const size = rw.n / rw.heads;
    for (let h = 0; h < rw.heads; h++) {
      const x0 = MARGIN + (h * size * plot) / rw.n;
      const w = (size * plot) / rw.n;
      parts.push(el("rect", { x: x0 + 1, y: y(r) - 7, width: w - 2, height: 14, rx: 4, fill: "#6366f1",
        "fill-opacity": "0.12", stroke: "#6366f1", "stroke-width": "1" }));
      parts.push(textEl(x0 + w / 2, y(r) + 19, `head ${h}`, { "text-anchor": "middle", "font-size": "9", fill: "#4338ca",
        "paint-order": "stroke", stroke: "#ffffff", "stroke-width": "3" }));
    }
  });
  rows.forEach((rw, r) => {
    const count = rw.n * rw.folds;
    const rad = px(Math.min(3.5, Math.max(0.7, (0.3 * pitch(r)) / rw.folds)));
    const dots: SvgNode[] = [];
    for (let j = 0; j < count; j++) {
      const [cx, cy] = at(r, j);
      dots.push(el("circle", { cx, cy, r: rad }));
    }
    parts.push(el("g", { fill: "#111827" }, dots));
    parts.push(textEl(width - RIGHT + 12, y(r) + 4, rw.label, { "font-size": "11", fill: "#374151" }));
  });
  if (circuit) {
    const band = (r: number) => {
      const size = rows[r].n / rows[r].heads;
      return Array.from({ length: rows[r].heads }, (_, h) => ({ x0: MARGIN + (h * size * plot) / rows[r].n + 1,
        x1: MARGIN + ((h + 1) * size * plot) / rows[r].n - 1 }));
    };
    const middle = MARGIN + plot / 2;
    const g: TransformerGeometry = {
      embed: { x: middle, y: y(embedRow) },
      output: { x: middle, y: y(output) },
      attn: attnRows.map((r) => ({ y: y(r), heads: band(r) })),
      mlp: mlpRows.map((r) => (r < 0 ? null : { x: middle, y: y(r) })),
    };
    parts.push(circuitOverlay(g, circuit));
  }
  parts.push(el("g", {}, endLabels(s, input, output, centre, opts)));
  const foot = height - 10 - legendRoom;
  if (opts.caption) parts.push(textEl(width / 2, foot, opts.caption, { "text-anchor": "middle", "font-size": "11", fill: "#4b5563" }));
  if (withLegend) {
    parts.push(circuit ? circuitLegend(width, height - 8 - legendRoom, circuit.edges.some((e) => e.score !== undefined)) :
      legend(width, height - 8 - legendRoom, false));
  }
  return svgRoot(width, height, parts);
}

/** W·diag(g): the map a LayerNorm's gain feeds (columns scaled), or W itself. */
function scaleColumns(w: number[], rows: number, cols: number, g: number[] | undefined): ArrayLike<number> {
  if (!g) return w;
  const out = new Float64Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = w[r * cols + c] * g[c];
  return out;
}

function lines(wire: Wire, rows: Row[], at: (r: number, j: number) => Point,
  centre: (r: number, slot: number) => Point, max: number, grey: boolean): SvgNode {
  let maxAbs = 0;
  for (let i = 0; i < wire.w.length; i++) maxAbs = Math.max(maxAbs, Math.abs(wire.w[i]));
  const out: SvgNode[] = [];
  if (maxAbs > 0) {
    const fromFolded = rows[wire.from].folds > 1;
    for (const e of selectEdges(wire.w, undefined, max, true).kept) {
      const r = Math.floor(e / wire.cols);
      const c = e % wire.cols;
      // Rows of a transposed table (the token embedding) are the source neurons.
      const [src, dst] = wire.transposed ? [r, c] : [c, r];
      // o reads an attention slot's output, drawn from the slot's centre rather than one of q, k, v.
      const [x1, y1] = fromFolded ? centre(wire.from, src) : at(wire.from, src);
      const [x2, y2] = at(wire.to, dst);
      const v = wire.w[e];
      out.push(lineEl(x1, y1, x2, y2, { stroke: grey ? WEIGHT_COLORS.pruned : v > 0 ? WEIGHT_COLORS.positive : WEIGHT_COLORS.negative,
        "stroke-width": ((2.5 * Math.abs(v)) / maxAbs).toFixed(3) }));
    }
  }
  return el("g", { "stroke-linecap": "round" }, out);
}

function endLabels(s: TransformerSnapshot, input: number, output: number,
  centre: (r: number, slot: number) => Point, opts: DrawTransformerOptions): SvgNode[] {
  const { spec } = s;
  const out: SvgNode[] = [];
  const put = (r: number, names: string[], below: boolean) => {
    if (names.length > MAX_LABELS) return;
    const vertical = names.length > 16;
    names.forEach((name, i) => {
      const [x, yy] = centre(r, i);
      const ty = below ? yy + (vertical ? 7 : 16) : yy - (vertical ? 7 : 9);
      const attrs: Record<string, string> = vertical
        ? { "text-anchor": below ? "end" : "start", "font-size": "8", fill: "#374151", transform: `rotate(-90 ${px(x + 3)} ${px(ty)})` }
        : { "text-anchor": "middle", "font-size": "10", fill: "#374151" };
      out.push(textEl(vertical ? x + 3 : x, ty, name, attrs));
    });
  };
  const tokens = opts.tokenNames;
  const names = (n: number, given: string[] | undefined, prefix: string) =>
    Array.from({ length: n }, (_, i) => given?.[i] ?? `${prefix}${i + (prefix === "" ? 0 : 1)}`);
  put(input, spec.vocab !== undefined ? names(spec.vocab, tokens, "") : names(spec.inDim!, opts.inputNames, "x"), true);
  put(output, spec.vocab !== undefined && spec.outDim === spec.vocab && tokens
    ? names(spec.outDim, tokens, "")
    : names(spec.outDim, opts.outputNames, spec.vocab !== undefined ? "" : "y"), false);
  return out;
}
