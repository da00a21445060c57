// The edge graph of an MLP (docs/discovery.md "The graph of an MLP"). Nodes are neurons: neuron layer 0
// holds the network's input slots (shape[0] of them: features in slot order, or for a token embedding
// the embedding dimensions of each token slot, f·dim + c), then the hidden layers, then the outputs
// (slot order; outPerm maps them to original outputs). Edges are the weights: edge (l, to, from) is
// W_l[to, from], sender `from` in neuron layer l, receiver `to` in neuron layer l+1. Biases are always
// present and are not edges.
//
// ACDC's order (kept stable; acdc.ts and acdc-naive.ts both follow it):
//   receivers in reverse topological order: the output layer first, then each hidden layer down to
//   the first; within a layer, receivers by increasing slot index; each receiver's incoming edges by
//   increasing sender slot index. Neuron-level ACDC visits senders the same way: the last hidden layer
//   first, down to the inputs, by increasing slot index.
import type { ModelSpec } from "../model/spec.ts";
import type { EdgeMask, EdgeScores, KeptEdge } from "./types.ts";

/** A neuron: neuron layer (0 = inputs … depth = outputs) and slot index. */
export interface Neuron {
  layer: number;
  index: number;
}

export function edgeCount(spec: ModelSpec): number {
  let n = 0;
  for (let l = 0; l + 1 < spec.shape.length; l++) n += spec.shape[l] * spec.shape[l + 1];
  return n;
}

/** Every edge kept. */
export function fullMask(spec: ModelSpec): EdgeMask {
  return weightShapes(spec).map((len) => new Uint8Array(len).fill(1));
}

/** One zero (or `value`) per edge. */
export function edgeScores(spec: ModelSpec, value = 0): EdgeScores {
  return weightShapes(spec).map((len) => new Float32Array(len).fill(value));
}

function weightShapes(spec: ModelSpec): number[] {
  const out: number[] = [];
  for (let l = 0; l + 1 < spec.shape.length; l++) out.push(spec.shape[l] * spec.shape[l + 1]);
  return out;
}

/** ACDC's receivers in visiting order, each as (weight layer l of its incoming edges, slot j). */
export function receiverOrder(spec: ModelSpec): { l: number; j: number }[] {
  const out: { l: number; j: number }[] = [];
  for (let l = spec.shape.length - 2; l >= 0; l--) {
    for (let j = 0; j < spec.shape[l + 1]; j++) out.push({ l, j });
  }
  return out;
}

/** Neuron-level ACDC's senders in visiting order: every non-output neuron, last hidden layer first. */
export function senderOrder(spec: ModelSpec): Neuron[] {
  const out: Neuron[] = [];
  for (let layer = spec.shape.length - 2; layer >= 0; layer--) {
    for (let index = 0; index < spec.shape[layer]; index++) out.push({ layer, index });
  }
  return out;
}

/** Every edge in ACDC's testing order, as [l, flat index j·in + i into W_l]. */
export function edgeOrder(spec: ModelSpec): [number, number][] {
  const out: [number, number][] = [];
  for (const { l, j } of receiverOrder(spec)) {
    const nIn = spec.shape[l];
    for (let i = 0; i < nIn; i++) out.push([l, j * nIn + i]);
  }
  return out;
}

/** Whether neuron `index` of neuron layer `layer` (< depth) still has a kept outgoing edge. */
export function hasOutgoing(spec: ModelSpec, mask: EdgeMask, layer: number, index: number): boolean {
  const nIn = spec.shape[layer];
  const m = mask[layer];
  for (let to = 0; to < spec.shape[layer + 1]; to++) if (m[to * nIn + index]) return true;
  return false;
}

/** The kept edges with their effect sizes, in (layer, to, from) order. */
export function keptEdges(spec: ModelSpec, mask: EdgeMask, effects: EdgeScores): KeptEdge[] {
  const out: KeptEdge[] = [];
  mask.forEach((m, layer) => {
    const nIn = spec.shape[layer];
    for (let e = 0; e < m.length; e++) {
      if (m[e]) out.push({ layer, to: Math.floor(e / nIn), from: e % nIn, effect: effects[layer][e] });
    }
  });
  return out;
}

/** An edge's readable name: sender "layer.slot" → receiver "layer.slot" in neuron layers, e.g. "0.3 → 1.5". */
export function edgeName(e: { layer: number; to: number; from: number }): string {
  return `${e.layer}.${e.from} → ${e.layer + 1}.${e.to}`;
}

/** Kept edges / all edges. */
export function density(mask: EdgeMask): number {
  let kept = 0;
  let all = 0;
  for (const m of mask) {
    all += m.length;
    for (const v of m) kept += v;
  }
  return all ? kept / all : 0;
}

/** A readable name: "x3" (input slot), "emb1.4" (token slot 1, embedding dim 4), "h2.7", "y0" (output slot). */
export function neuronName(spec: ModelSpec, n: Neuron): string {
  const depth = spec.shape.length - 1;
  if (n.layer === depth) return `y${n.index}`;
  if (n.layer > 0) return `h${n.layer}.${n.index}`;
  if (spec.embed) return `emb${Math.floor(n.index / spec.embed.dim)}.${n.index % spec.embed.dim}`;
  return `x${n.index}`;
}
