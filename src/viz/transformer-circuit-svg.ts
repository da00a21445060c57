// A transformer circuit drawn over the transformer picture (transformer-svg.ts): the component graph's
// kept edges (ACDC's nodes: `embed`, per head `l.h.q|k|v` and `l.h.out`, per MLP `l.mlp.in|out`,
// `resid_post`) as coloured curves from the sender to the receiver, over the network's weights drawn
// in grey. A curve's colour says which input of the receiver it feeds (a head's query, key or value,
// an MLP, the logits), so compositions read directly: an edge into `1.1.k` is K-composition. Heads
// with a kept edge are outlined; the rest of the picture stays as it is.
import type { TransformerSpec } from "../model/transformer-spec.ts";
import { el, textEl, type SvgNode } from "./svg.ts";

/** A circuit as the picture needs it: its kept edges by node name, with their scores when known. */
export interface TransformerCircuitView {
  edges: { from: string; to: string; score?: number }[];
}

export type CircuitNode =
  | { kind: "embed" }
  | { kind: "head"; layer: number; head: number; port: "q" | "k" | "v" | "out" }
  | { kind: "mlp"; layer: number; port: "in" | "out" }
  | { kind: "resid_post" };

export type ReceiverKind = "q" | "k" | "v" | "mlp" | "logits";

/** One colour per receiver input, away from the weights' blue and red. */
export const CIRCUIT_COLORS: Record<ReceiverKind, string> = {
  q: "#7c3aed",
  k: "#ea580c",
  v: "#059669",
  mlp: "#db2777",
  logits: "#111827",
};

const RECEIVER_WORDS: Record<ReceiverKind, string> = { q: "→ query", k: "→ key", v: "→ value", mlp: "→ MLP", logits: "→ logits" };

/** "embed", "1.3.k", "0.2.out", "0.mlp.in", "resid_post"; throws naming the name. */
export function parseNode(name: string): CircuitNode {
  if (name === "embed") return { kind: "embed" };
  if (name === "resid_post") return { kind: "resid_post" };
  let m = /^(\d+)\.(\d+)\.(q|k|v|out)$/.exec(name);
  if (m) return { kind: "head", layer: Number(m[1]), head: Number(m[2]), port: m[3] as "q" | "k" | "v" | "out" };
  m = /^(\d+)\.mlp\.(in|out)$/.exec(name);
  if (m) return { kind: "mlp", layer: Number(m[1]), port: m[2] as "in" | "out" };
  throw new Error(`circuit node "${name}": expected embed, l.h.q|k|v|out, l.mlp.in|out or resid_post`);
}

/**
 * "0.3.out → 1.1.k" (also "->") into its two node names. A finer graph's edge names the component
 * pair too: a position edge ends in " @t", a residual-dimension or neuron edge has "[d5]" / "[n5]"
 * after its sender; the picture draws the pair.
 */
export function parseEdgeName(name: string): { from: string; to: string } {
  const parts = name.replace(/\s*@\d+$/, "").split(/\s*(?:→|->)\s*/);
  if (parts.length !== 2) throw new Error(`circuit edge "${name}": expected "sender → receiver"`);
  return { from: parts[0].replace(/\[[dn]\d+\]$/, ""), to: parts[1] };
}

/**
 * A circuit file's kept edges ({ name, effect }) as the picture's view: one curve per component pair,
 * its score the sum of |effect| over the pair's edges (a finer graph has several per pair).
 */
export function circuitView(edges: { name: string; effect?: number }[]): TransformerCircuitView {
  const pairs = new Map<string, { from: string; to: string; score?: number }>();
  for (const e of edges) {
    const { from, to } = parseEdgeName(e.name);
    const key = `${from} → ${to}`;
    const p = pairs.get(key) ?? { from, to };
    if (e.effect !== undefined) p.score = (p.score ?? 0) + Math.abs(e.effect);
    pairs.set(key, p);
  }
  return { edges: [...pairs.values()] };
}

/** Where the overlay may draw: each row's y and the x-range of every head and MLP (from the picture). */
export interface TransformerGeometry {
  embed: { x: number; y: number };
  output: { x: number; y: number };
  attn: { y: number; heads: { x0: number; x1: number }[] }[];
  mlp: ({ x: number; y: number } | null)[];
}

/** Half the height of a head band and of a plain row's anchor offset. */
const BAND = 7;
const ROW = 5;

/** Checks a circuit against the model: known nodes, a sender before its receiver. */
export function checkCircuitView(spec: TransformerSpec, view: TransformerCircuitView): void {
  const order = (n: CircuitNode): number => {
    // position in the forward order of the residual stream: embed, per layer attention then MLP, logits
    switch (n.kind) {
      case "embed": return 0;
      case "head": return 1 + 2 * n.layer;
      case "mlp": return 2 + 2 * n.layer;
      case "resid_post": return 1 + 2 * spec.nLayers;
    }
  };
  for (const e of view.edges) {
    const what = `circuit edge "${e.from} → ${e.to}"`;
    const [a, b] = [parseNode(e.from), parseNode(e.to)];
    for (const n of [a, b]) {
      if (n.kind === "head" && (n.layer >= spec.nLayers || n.head >= spec.nHeads)) {
        throw new Error(`${what}: the model has ${spec.nLayers} layers of ${spec.nHeads} heads`);
      }
      if (n.kind === "mlp" && (n.layer >= spec.nLayers || spec.dMlp === 0)) {
        throw new Error(`${what}: the model has no MLP in layer ${n.layer}`);
      }
    }
    const sends = a.kind === "embed" || (a.kind === "head" && a.port === "out") || (a.kind === "mlp" && a.port === "out");
    const receives = b.kind === "resid_post" || (b.kind === "head" && b.port !== "out") || (b.kind === "mlp" && b.port === "in");
    if (!sends) throw new Error(`${what}: ${e.from} is not a sender (embed, l.h.out, l.mlp.out)`);
    if (!receives) throw new Error(`${what}: ${e.to} is not a receiver (l.h.q|k|v, l.mlp.in, resid_post)`);
    if (order(a) >= order(b)) throw new Error(`${what}: the sender is not upstream of the receiver`);
  }
}

export function receiverKind(n: CircuitNode): ReceiverKind {
  if (n.kind === "head") return n.port as "q" | "k" | "v";
  return n.kind === "mlp" ? "mlp" : "logits";
}

/** The kept edges as curves (sender above its row → receiver below its row), and the circuit's heads outlined. */
export function circuitOverlay(g: TransformerGeometry, view: TransformerCircuitView): SvgNode {
  const maxScore = Math.max(0, ...view.edges.map((e) => Math.abs(e.score ?? 0)));
  const band = (layer: number, head: number) => g.attn[layer].heads[head];
  const sender = (n: CircuitNode): [number, number] => {
    if (n.kind === "embed") return [g.embed.x, g.embed.y - ROW];
    if (n.kind === "head") {
      const b = band(n.layer, n.head);
      return [(b.x0 + b.x1) / 2, g.attn[n.layer].y - BAND];
    }
    const m = g.mlp[(n as { layer: number }).layer]!;
    return [m.x, m.y - ROW];
  };
  const receiver = (n: CircuitNode): [number, number] => {
    if (n.kind === "resid_post") return [g.output.x, g.output.y + ROW];
    if (n.kind === "head") {
      const b = band(n.layer, n.head);
      const f = n.port === "q" ? 0.25 : n.port === "k" ? 0.5 : 0.75;
      return [b.x0 + f * (b.x1 - b.x0), g.attn[n.layer].y + BAND];
    }
    const m = g.mlp[(n as { layer: number }).layer]!;
    return [m.x, m.y + ROW];
  };
  const heads = new Set<string>();
  const ports = new Map<string, [number, number, ReceiverKind]>();
  const curves: SvgNode[] = [];
  const casings: SvgNode[] = [];
  for (const e of view.edges) {
    const a = parseNode(e.from);
    const b = parseNode(e.to);
    for (const n of [a, b]) if (n.kind === "head") heads.add(`${n.layer}.${n.head}`);
    const [x1, y1] = sender(a);
    const [x2, y2] = receiver(b);
    const kind = receiverKind(b);
    ports.set(e.to, [x2, y2, kind]);
    const k = 0.45 * (y1 - y2);
    const width = maxScore > 0 && e.score !== undefined ? 1 + (2.5 * Math.abs(e.score)) / maxScore : 2;
    const d = `M${r(x1)},${r(y1)} C${r(x1)},${r(y1 - k)} ${r(x2)},${r(y2 + k)} ${r(x2)},${r(y2)}`;
    // a white casing under each curve lifts it off the grey weights and separates crossings
    casings.push(el("path", { d, "stroke-width": (width + 3).toFixed(2) }));
    curves.push(el("path", { d, fill: "none", stroke: CIRCUIT_COLORS[kind], "stroke-width": width.toFixed(2),
      "stroke-linecap": "round", class: "circuit-edge", "data-edge": `${e.from} → ${e.to}` }));
  }
  const outlines = [...heads].map((name) => {
    const [layer, head] = name.split(".").map(Number);
    const b = band(layer, head);
    return el("rect", { x: b.x0, y: g.attn[layer].y - BAND - 1, width: b.x1 - b.x0, height: 2 * BAND + 2, rx: 4,
      fill: "none", stroke: "#111827", "stroke-width": 1.5, class: "circuit-head", "data-head": name });
  });
  const dots = [...ports.values()].map(([x, y, kind]) => el("circle", { cx: x, cy: y, r: 2.5, fill: CIRCUIT_COLORS[kind] }));
  return el("g", { class: "circuit" }, [...outlines,
    el("g", { fill: "none", stroke: "#ffffff", "stroke-opacity": "0.9", "stroke-linecap": "round" }, casings),
    ...curves, ...dots]);
}

function r(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export const CIRCUIT_LEGEND_HEIGHT = 40;
const ITEM = 84;

/** The colour key of the overlay: one swatch per receiver kind, then how to read widths and the grey. */
export function circuitLegend(width: number, top: number, scored: boolean): SvgNode {
  const kinds = Object.keys(CIRCUIT_COLORS) as ReceiverKind[];
  let x = (width - kinds.length * ITEM) / 2;
  const y = top + 12;
  const out: SvgNode[] = [];
  for (const kind of kinds) {
    out.push(el("rect", { x, y: y - 6, width: 18, height: 4, fill: CIRCUIT_COLORS[kind] }));
    out.push(textEl(x + 23, y - 1, RECEIVER_WORDS[kind], { "font-size": "11", fill: "#374151" }));
    x += ITEM;
  }
  const note = `kept edges of the circuit, coloured by the input they feed${scored ? ", width ∝ |score|" : ""}; ` +
    "weights in grey; outlined: the circuit's heads";
  out.push(textEl(width / 2, y + 16, note, { "text-anchor": "middle", "font-size": "10", fill: "#4b5563" }));
  return el("g", { class: "legend" }, out);
}
