// One entry to every discovery method on a transformer (the MLP's discover.ts, on the circuit graph):
// ACDC, node-level ACDC, EAP, EAP-IG and EAP→ACDC, each returning a versioned circuit (circuit-file.ts)
// scored on held-out sequences (score.ts). This file picks a method, times it and scores what it found.
import type { Transformer } from "../../model/transformer.ts";
import type { SeqDataset } from "../../tasks/sequence-types.ts";
import type { TaskKind } from "../../tasks/types.ts";
import { checkAblation } from "../ablation.ts";
import { checkMethod, defaultMetric, METRIC_TAU } from "../discover.ts";
import { checkMetricName } from "../metrics.ts";
import type { Ablation, Method, MetricName } from "../types.ts";
import { acdcNaive, acdcNodesNaive, type TxAcdcResult } from "./acdc.ts";
import { makeTxCircuit, txCircuitHash, type TxCircuit, type TxCircuitSettings } from "./circuit-file.ts";
import { seqDiscoveryData, type SeqDiscoveryData } from "./data.ts";
import { buildGraph, type Granularity, type TxGraph } from "./graph.ts";
import { scoreTxCircuit, type HeadTruth, type TxCircuitScores } from "./score.ts";
import { sweepTau } from "../sweep.ts";

/** The order ACDC visits edges in, recorded in every circuit (graph.ts documents it). */
export const TX_ACDC_ORDER = "receivers from resid_post back, layers last to first (mlp.in, then heads ascending: q, k, v); " +
  "senders from the latest back to embed; slices from the highest index down";
const TX_NODE_ORDER = "heads and MLPs from the last layer's MLP back to head 0.0";
const EAP_ORDER = "all edges at once, ranked by |score|";

export interface TxDiscoverOptions {
  method?: Method;
  tau?: number;
  ablation?: Ablation;
  /** Default kl (classification) or mse (regression); EAP: nll or mse. */
  metric?: MetricName;
  /** Outputs the metric reads; default the task's loss outputs (icl-regression: [0]). */
  outputs?: number[];
  /** Positions the metric scores (among the task's); default all the task scores. */
  positions?: number[];
  granularity?: Granularity;
  topK?: number;
  fraction?: number;
  /** EAP-IG points (default 5). */
  steps?: number;
  seed?: number;
  /** Sequences discovery runs on (default all of the training split, at most 500). */
  examples?: number;
  /** Heads the task's mechanism uses (induction), for ground-truth scores. */
  truth?: HeadTruth;
  /** Use the naive ACDC (one full pass per test): for checks and the bench. */
  naive?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface TxDiscovery {
  circuit: TxCircuit;
  graph: TxGraph;
  mask: Uint8Array;
  circuitHash: string;
  metric: MetricName;
  metricValue?: number;
  evaluations: number;
  nearTies: number;
  ms: number;
}

/** Default sequences a transformer discovery runs on (at most). */
export const TX_DEFAULT_EXAMPLES = 500;

/** The outputs a task's metric reads by default: its loss outputs (regression), or all. */
export function defaultOutputs(ds: Pick<SeqDataset, "lossOutputs" | "outDim">): number[] | undefined {
  if (ds.lossOutputs === undefined || ds.lossOutputs >= ds.outDim) return undefined;
  return Array.from({ length: ds.lossOutputs }, (_, o) => o);
}

/** Discovers on the training split and scores on the held-out split (the training split when there is none). */
export function discoverTx(model: Transformer, ds: SeqDataset, o: TxDiscoverOptions = {}): TxDiscovery {
  if (ds.train.n < 1) throw new Error("discovery: the dataset has no training sequences");
  const seed = o.seed ?? 0;
  const found = seqDiscoveryData(ds, ds.train, seed, o.examples ?? TX_DEFAULT_EXAMPLES);
  const held = ds.test.n > 0 ? ds.test : ds.train;
  const heldOut = seqDiscoveryData(ds, held, seed + 1, o.examples ?? TX_DEFAULT_EXAMPLES);
  return discoverTxOn(model, found, heldOut, ds.kind, { outputs: defaultOutputs(ds), ...o });
}

/** Runs one method on `found` and scores its circuit on `heldOut`. */
export function discoverTxOn(model: Transformer, found: SeqDiscoveryData, heldOut: SeqDiscoveryData, kind: TaskKind,
  o: TxDiscoverOptions = {}): TxDiscovery {
  const method = checkMethod(o.method ?? "acdc");
  const ablation = checkAblation(o.ablation ?? "resample");
  const usesEap = method === "eap" || method === "eap-ig";
  const metric = checkMetricName(o.metric ?? defaultMetric(kind, usesEap));
  const tau = o.tau ?? (o.topK === undefined || !usesEap ? METRIC_TAU[metric] : undefined);
  const granularity = o.granularity ?? "component";
  const run = { ablation, metric, outputs: o.outputs, positions: o.positions, granularity };
  const settings: TxCircuitSettings = { method, ablation, metric, granularity, seed: o.seed ?? 0,
    order: usesEap ? EAP_ORDER : method === "acdc-nodes" ? TX_NODE_ORDER : TX_ACDC_ORDER };
  if (o.outputs) settings.outputs = o.outputs;
  if (o.positions) settings.positions = o.positions;

  const t0 = performance.now();
  let mask: Uint8Array;
  let effects: Float64Array;
  let evaluations = 0;
  let nearTies = 0;
  let metricValue: number | undefined;
  if (method !== "acdc" && method !== "acdc-nodes") {
    throw new Error(`discovery on transformers: method ${method} is not available yet (acdc, acdc-nodes)`);
  }
  const acdcOpts = { ...run, tau: tau!, onProgress: o.onProgress, signal: o.signal };
  const r: TxAcdcResult = (method === "acdc" ? acdcNaive : acdcNodesNaive)(model, found, acdcOpts);
  ({ mask, evaluations, nearTies, metricValue } = r);
  effects = r.deltas;
  settings.tau = tau;
  const ms = performance.now() - t0;
  const graph = buildGraph(model.spec, granularity);
  const scores = scoreTxCircuit(model, mask, heldOut, { ablation, kind, granularity, outputs: o.outputs,
    positions: o.positions, truth: o.truth, timeMs: ms, evaluations, nearTies });
  const circuit = makeTxCircuit(model, graph, mask, effects, settings, scores);
  return { circuit, graph, mask, circuitHash: txCircuitHash(circuit), metric, metricValue, evaluations, nearTies, ms };
}

/** One discovered circuit as a point of a faithfulness-vs-edges curve (plain JSON data). */
export interface TxCircuitPoint {
  tau?: number;
  topK?: number;
  edges: number;
  totalEdges: number;
  sparsity: number;
  nodes: number;
  heads: string[];
  faithfulness: number;
  faithfulnessMetric: "kl" | "mse";
  task: TxCircuitScores["task"];
  modularity: number;
  ms: number;
  evaluations: number;
  nearTies: number;
  circuitHash: string;
  groundTruth?: TxCircuitScores["groundTruth"];
}

export interface TxSweepSummary {
  points: TxCircuitPoint[];
  /** Normalised area under faithfulness vs edge fraction (sweep.ts; lower = more discoverable). */
  area: number;
}

/** A discovery's circuit as a sweep point. */
export function txCircuitPoint(d: TxDiscovery): TxCircuitPoint {
  const s = d.circuit.scores as TxCircuitScores;
  const p: TxCircuitPoint = { edges: s.edges, totalEdges: s.totalEdges, sparsity: s.sparsity, nodes: s.nodes, heads: s.heads,
    faithfulness: s.faithfulness, faithfulnessMetric: s.faithfulnessMetric, task: s.task, modularity: s.modularity, ms: d.ms,
    evaluations: d.evaluations, nearTies: d.nearTies, circuitHash: d.circuitHash };
  if (d.circuit.settings.tau !== undefined) p.tau = d.circuit.settings.tau;
  if (d.circuit.settings.topK !== undefined) p.topK = d.circuit.settings.topK;
  if (s.groundTruth) p.groundTruth = s.groundTruth;
  return p;
}

/**
 * discoverTx at every τ of `grid` (ascending), then the area under faithfulness vs edges. `at` gives the
 * options that vary with τ (default τ itself; e.g. an EAP top-k matched to ACDC's size at that τ).
 */
export async function discoverTxSweep(model: Transformer, ds: SeqDataset, o: TxDiscoverOptions, grid: number[],
  progress: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  at: (tau: number) => TxDiscoverOptions = (tau) => ({ tau })): Promise<TxSweepSummary> {
  const opts = { ...o, tau: undefined, topK: undefined, onProgress: undefined, signal: progress.signal };
  const { points, area } = await sweepTau((tau) => ({ ...txCircuitPoint(discoverTx(model, ds, { ...opts, ...at(tau) })), tau }),
    { grid, ...progress });
  return { points, area };
}
