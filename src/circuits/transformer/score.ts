// Scoring a transformer circuit (the MLP discovery's scores, src/circuits/score.ts, on the component
// graph) on held-out sequences:
//   faithfulness  KL of the next-token distribution (classification) or MSE of the chosen outputs
//                 (regression) of the circuit against the full model, at the scored positions; the
//                 circuit is the patched model with every removed edge ablated (ablations from the
//                 held-out sequences themselves: their corrupted partners, or their means);
//   task score    the circuit's accuracy (or MSE to the targets) at the scored positions, next to the
//                 full model's;
//   sparsity      edges kept / all edges; heads and MLPs on some embed → resid_post path of kept edges;
//   modularity    Newman's Q (greedy communities, modularity.ts) of the kept-edge graph whose nodes are
//                 embed, every head, every MLP and resid_post, one unit of weight per kept edge (ours);
//   ground truth  (induction) precision and recall of the circuit's heads against the heads the
//                 attention scores pick, and whether the previous-token → induction-head K-composition
//                 edge and the induction head → resid_post edge are kept.
import type { Transformer } from "../../model/transformer.ts";
import type { TaskKind } from "../../tasks/types.ts";
import { greedyCommunities, modularity, type Graph } from "../modularity.ts";
import type { Ablation } from "../types.ts";
import { TxContext } from "./context.ts";
import type { SeqDiscoveryData } from "./data.ts";
import type { Granularity, TxGraph } from "./graph.ts";

/** A head by layer and index. */
export interface HeadRef {
  layer: number;
  head: number;
}

/** The heads a task's mechanism uses, found without discovery (induction: attention scores). */
export interface HeadTruth {
  previousToken: HeadRef[];
  induction: HeadRef[];
}

export interface TxCircuitScores {
  faithfulness: number;
  faithfulnessMetric: "kl" | "mse";
  task: { metric: "accuracy" | "mse"; circuit: number; full: number };
  edges: number;
  totalEdges: number;
  sparsity: number;
  /** Heads and MLPs on some embed → resid_post path of kept edges, and all of them. */
  nodes: number;
  totalNodes: number;
  /** The heads among them, as "layer.head". */
  heads: string[];
  modularity: number;
  timeMs?: number;
  evaluations?: number;
  /** ACDC tests whose Δ was within NEAR_TIE of τ. */
  nearTies?: number;
  groundTruth?: {
    precision: number | null;
    recall: number;
    /** The heads of the truth, "layer.head". */
    truth: string[];
    /** Some previous-token head's output → some later induction head's k input is kept. */
    kComposition: boolean;
    /** Some induction head's output → resid_post is kept. */
    inductionToOutput: boolean;
  };
}

export interface TxScoreOptions {
  ablation: Ablation;
  kind: TaskKind;
  granularity: Granularity;
  outputs?: number[];
  positions?: number[];
  truth?: HeadTruth;
  timeMs?: number;
  evaluations?: number;
  nearTies?: number;
}

const headName = (h: HeadRef) => `${h.layer}.${h.head}`;

/** Every score of a circuit (mask over the graph of `granularity`) on held-out sequences. */
export function scoreTxCircuit(model: Transformer, mask: Uint8Array, heldOut: SeqDiscoveryData, o: TxScoreOptions):
  TxCircuitScores {
  const faithfulnessMetric = o.kind === "classification" ? "kl" : "mse";
  const ctx = new TxContext(model, heldOut, { ablation: o.ablation, metric: faithfulnessMetric, outputs: o.outputs,
    positions: o.positions, granularity: o.granularity });
  let scores: TxCircuitScores;
  try {
    const e = model.engine;
    ctx.naiveMetric();
    const full = e.read(ctx.scoredLogits);
    ctx.patching.mask.set(mask);
    const faithfulness = ctx.naiveMetric();
    const circuit = e.read(ctx.scoredLogits);
    const taskScore = (y: Float32Array) => o.kind === "classification" ? accuracy(y, heldOut, ctx.rows, model.spec.outDim)
      : targetMse(y, heldOut, ctx.rows, model.spec.outDim, o.outputs);
    const { graph } = ctx;
    const edges = mask.reduce((a, v) => a + v, 0);
    const connected = connectedNodes(graph, mask);
    const heads = graph.senders.filter((s) => s.kind === "head" && connected[s.index]).map((s) => `${s.layer}.${s.head}`);
    scores = {
      faithfulness,
      faithfulnessMetric,
      task: { metric: o.kind === "classification" ? "accuracy" : "mse", circuit: taskScore(circuit), full: taskScore(full) },
      edges,
      totalEdges: mask.length,
      sparsity: 1 - edges / mask.length,
      nodes: graph.senders.filter((s) => s.kind !== "embed" && connected[s.index]).length,
      totalNodes: graph.senders.length - 1,
      heads,
      modularity: txModularity(graph, mask),
    };
    if (o.truth) scores.groundTruth = headScores(graph, mask, heads, o.truth);
  } finally {
    ctx.dispose();
  }
  if (o.timeMs !== undefined) scores.timeMs = o.timeMs;
  if (o.evaluations !== undefined) scores.evaluations = o.evaluations;
  if (o.nearTies !== undefined) scores.nearTies = o.nearTies;
  return scores;
}

/** Per sender: whether it lies on some embed → resid_post path of kept edges (embed: whether anything is kept). */
export function connectedNodes(graph: TxGraph, mask: Uint8Array): boolean[] {
  const S = graph.senders.length;
  const kept = (r: number, s: number) => graph.pairEdges[r][s].some((e) => mask[e] === 1);
  const fromEmbed = new Array<boolean>(S).fill(false);
  fromEmbed[0] = true;
  // receivers in forward order: a component is reached when one of its receivers reads a reached sender
  for (const r of graph.receivers) {
    if (r.owner < 0) continue;
    for (let s = 0; s < r.upstream; s++) if (fromEmbed[s] && kept(r.index, s)) fromEmbed[r.owner] = true;
  }
  const toOutput = new Array<boolean>(S).fill(false);
  for (let i = graph.receivers.length - 1; i >= 0; i--) {
    const r = graph.receivers[i];
    if (r.owner >= 0 && !toOutput[r.owner]) continue;
    for (let s = 0; s < r.upstream; s++) if (kept(r.index, s)) toOutput[s] = true;
  }
  return fromEmbed.map((f, s) => f && toOutput[s]);
}

/** Newman's Q of the kept-edge graph over embed, heads, MLPs and resid_post (one unit per kept edge). */
export function txModularity(graph: TxGraph, mask: Uint8Array): number {
  const final = graph.senders.length; // node ids: senders, then resid_post
  const nodeOf = (r: number) => (graph.receivers[r].owner >= 0 ? graph.receivers[r].owner : final);
  const weight = new Map<string, { u: number; v: number; w: number }>();
  mask.forEach((m, e) => {
    if (!m) return;
    const { sender, receiver } = graph.edges[e];
    const key = `${sender},${nodeOf(receiver)}`;
    const at = weight.get(key);
    if (at) at.w++;
    else weight.set(key, { u: sender, v: nodeOf(receiver), w: 1 });
  });
  const g: Graph = { nodes: final + 1, edges: [...weight.values()] };
  return modularity(g, greedyCommunities(g));
}

function headScores(graph: TxGraph, mask: Uint8Array, found: string[], truth: HeadTruth): TxCircuitScores["groundTruth"] {
  const truthHeads = [...new Set([...truth.previousToken, ...truth.induction].map(headName))];
  const hit = found.filter((h) => truthHeads.includes(h)).length;
  const keptNames = new Set<string>();
  mask.forEach((m, e) => {
    if (!m) return;
    const { sender, receiver } = graph.edges[e];
    keptNames.add(`${graph.senders[sender].name} → ${graph.receivers[receiver].name}`);
  });
  const kComposition = truth.previousToken.some((p) => truth.induction.some((i) => p.layer < i.layer &&
    keptNames.has(`${p.layer}.${p.head}.out → ${i.layer}.${i.head}.k`)));
  const inductionToOutput = truth.induction.some((i) => keptNames.has(`${i.layer}.${i.head}.out → resid_post`));
  return {
    precision: found.length ? hit / found.length : null,
    recall: truthHeads.length ? hit / truthHeads.length : 1,
    truth: truthHeads,
    kComposition,
    inductionToOutput,
  };
}

/** Fraction of scored rows whose first argmax is the next token. */
function accuracy(y: Float32Array, data: SeqDiscoveryData, rows: Int32Array, V: number): number {
  if (!data.labels) throw new Error("scoring a classification circuit needs next-token labels in the held-out data");
  let correct = 0;
  rows.forEach((g, i) => {
    let best = 0;
    for (let c = 1; c < V; c++) if (y[i * V + c] > y[i * V + best]) best = c;
    if (best === data.labels![g]) correct++;
  });
  return correct / rows.length;
}

/** Mean over scored rows and the chosen outputs (default all) of (y − target)². */
function targetMse(y: Float32Array, data: SeqDiscoveryData, rows: Int32Array, V: number, outputs?: number[]): number {
  if (!data.targets) throw new Error("scoring a regression circuit needs targets in the held-out data");
  const outs = outputs ?? Array.from({ length: V }, (_, o) => o);
  let s = 0;
  rows.forEach((g, i) => {
    for (const o of outs) s += (y[i * V + o] - data.targets![g * V + o]) ** 2;
  });
  return s / (rows.length * outs.length);
}
