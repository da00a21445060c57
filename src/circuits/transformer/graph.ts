// The circuit graph of a transformer (docs/transformer-circuits.md), as ACDC sees one on TransformerLens:
// senders write into the residual stream, receivers read their own copy of it.
//   senders, in forward order: embed (token + position), then per layer its heads l.h.out ascending,
//     then l.mlp.out;
//   receivers, in forward order: per layer its heads' l.h.q, l.h.k, l.h.v (head by head), then
//     l.mlp.in; last resid_post (the logits' input).
// An edge joins every sender to every receiver after it in forward order (heads of a layer feed its
// MLP and everything in later layers). Edge granularities:
//   component  one edge per (sender, receiver): all positions patched together (ACDC's default);
//   position   one edge per (sender, receiver, position t) (ours);
//   fine       one edge per (sender, receiver, residual dimension c) for embed and heads, and per
//              (MLP neuron n, receiver) for MLPs: residual dimensions and MLP neurons become nodes
//              (ours; the MLP graph generalised).
// Edges are indexed receiver by receiver in forward order, senders ascending, slices (position,
// dimension or neuron) ascending: the order of the circuit files. ACDC visits receivers from the
// logits back: resid_post, then layers from last to first, l.mlp.in first, then heads ascending with
// q, k, v in that order; each receiver's senders from the latest back to embed, and (ours) each
// sender's slices from the highest index down.
import type { TransformerSpec } from "../../model/transformer-spec.ts";

export type Granularity = "component" | "position" | "fine";

/** What the graph depends on: the model's sizes (a circuit file carries them). */
export type GraphShape = Pick<TransformerSpec, "nLayers" | "nHeads" | "dMlp" | "dModel" | "ctx">;
export const GRANULARITIES: readonly Granularity[] = ["component", "position", "fine"];

export type SenderKind = "embed" | "head" | "mlp";
export type ReceiverKind = "q" | "k" | "v" | "mlp" | "final";

export interface GraphSender {
  index: number;
  kind: SenderKind;
  /** −1 for embed. */
  layer: number;
  /** Head index, −1 when not a head. */
  head: number;
  /** embed, l.h.out, l.mlp.out */
  name: string;
}

export interface GraphReceiver {
  index: number;
  kind: ReceiverKind;
  /** nLayers for resid_post. */
  layer: number;
  head: number;
  /** l.h.q / l.h.k / l.h.v, l.mlp.in, resid_post */
  name: string;
  /** Senders 0 … upstream−1 (forward order) come before it: its possible senders. */
  upstream: number;
  /** The sender this receiver feeds (its head's out, its MLP's out); −1 for resid_post. */
  owner: number;
}

export interface GraphEdge {
  index: number;
  sender: number;
  receiver: number;
  /** Position (granularity position), residual dimension or MLP neuron (fine); −1 for a whole pair. */
  slice: number;
  name: string;
}

export interface TxGraph {
  granularity: Granularity;
  /** Positions per sequence (ctx). */
  T: number;
  senders: GraphSender[];
  receivers: GraphReceiver[];
  edges: GraphEdge[];
  /** pairEdges[r][s]: the edges from sender s into receiver r, slices ascending (empty: not upstream). */
  pairEdges: number[][][];
  /** Receivers in ACDC's visiting order. */
  visit: number[];
  /** Per receiver, its incoming edges in ACDC's testing order. */
  testOrder: number[][];
  /** Per sender, every edge leaving it. */
  outgoing: number[][];
}

/** Slices per (sender, receiver) edge pair: 1, T positions, or d dimensions / dMlp neurons. */
export function slicesOf(spec: GraphShape, granularity: Granularity, sender: SenderKind): number {
  if (granularity === "component") return 1;
  if (granularity === "position") return spec.ctx;
  return sender === "mlp" ? spec.dMlp : spec.dModel;
}

export function buildGraph(spec: GraphShape, granularity: Granularity = "component"): TxGraph {
  if (!GRANULARITIES.includes(granularity)) {
    throw new Error(`circuit graph: granularity must be one of ${GRANULARITIES.join(", ")}, got ${String(granularity)}`);
  }
  const H = spec.nHeads;
  const L = spec.nLayers;
  const mlp = spec.dMlp > 0;
  const senders: GraphSender[] = [{ index: 0, kind: "embed", layer: -1, head: -1, name: "embed" }];
  const receivers: GraphReceiver[] = [];
  const addSender = (kind: SenderKind, layer: number, head: number, name: string) =>
    senders.push({ index: senders.length, kind, layer, head, name }) - 1;
  const addReceiver = (kind: ReceiverKind, layer: number, head: number, name: string, owner: number) =>
    receivers.push({ index: receivers.length, kind, layer, head, name, upstream: senders.length, owner });
  for (let l = 0; l < L; l++) {
    const upstream = senders.length;
    for (let h = 0; h < H; h++) {
      // the head's sender comes after all of its layer's q/k/v receivers: they read only earlier senders
      const owner = upstream + h;
      for (const kind of ["q", "k", "v"] as const) addReceiver(kind, l, h, `${l}.${h}.${kind}`, owner);
    }
    for (let h = 0; h < H; h++) addSender("head", l, h, `${l}.${h}.out`);
    if (mlp) {
      addReceiver("mlp", l, -1, `${l}.mlp.in`, senders.length);
      addSender("mlp", l, -1, `${l}.mlp.out`);
    }
  }
  addReceiver("final", L, -1, "resid_post", -1);

  const edges: GraphEdge[] = [];
  const pairEdges = receivers.map(() => senders.map(() => [] as number[]));
  const outgoing = senders.map(() => [] as number[]);
  for (const r of receivers) {
    for (let s = 0; s < r.upstream; s++) {
      const sender = senders[s];
      const slices = slicesOf(spec, granularity, sender.kind);
      for (let c = 0; c < slices; c++) {
        const index = edges.length;
        const slice = granularity === "component" ? -1 : c;
        edges.push({ index, sender: s, receiver: r.index, slice, name: edgeName(sender, r, granularity, slice) });
        pairEdges[r.index][s].push(index);
        outgoing[s].push(index);
      }
    }
  }
  const visit = visitOrder(receivers, L, H, mlp);
  const testOrder = receivers.map((r) => {
    const out: number[] = [];
    for (let s = r.upstream - 1; s >= 0; s--) {
      const pe = pairEdges[r.index][s];
      for (let c = pe.length - 1; c >= 0; c--) out.push(pe[c]);
    }
    return out;
  });
  return { granularity, T: spec.ctx, senders, receivers, edges, pairEdges, visit, testOrder, outgoing };
}

/** resid_post, then layers last to first: l.mlp.in, then heads ascending with q, k, v. */
function visitOrder(receivers: GraphReceiver[], L: number, H: number, mlp: boolean): number[] {
  const byName = new Map(receivers.map((r) => [r.name, r.index]));
  const at = (name: string) => byName.get(name)!;
  const out = [at("resid_post")];
  for (let l = L - 1; l >= 0; l--) {
    if (mlp) out.push(at(`${l}.mlp.in`));
    for (let h = 0; h < H; h++) for (const kind of ["q", "k", "v"]) out.push(at(`${l}.${h}.${kind}`));
  }
  return out;
}

/**
 * "0.3.out → 1.1.k"; per position "0.3.out → 1.1.k @5"; fine "0.3.out[d17] → 1.1.k" (residual dimension
 * 17) or "0.mlp.out[n42] → resid_post" (MLP neuron 42).
 */
export function edgeName(s: GraphSender, r: GraphReceiver, granularity: Granularity, slice: number): string {
  if (granularity === "component") return `${s.name} → ${r.name}`;
  if (granularity === "position") return `${s.name} → ${r.name} @${slice}`;
  return `${s.name}[${s.kind === "mlp" ? "n" : "d"}${slice}] → ${r.name}`;
}

/** Sender, receiver and edge counts of a model's graph. */
export function graphSize(spec: GraphShape, granularity: Granularity): { senders: number; receivers: number;
  edges: number } {
  const g = buildGraph(spec, granularity);
  return { senders: g.senders.length, receivers: g.receivers.length, edges: g.edges.length };
}
