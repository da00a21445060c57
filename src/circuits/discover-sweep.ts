// A circuit as one point of a faithfulness-vs-edges curve, and a τ sweep of them (docs/discovery.md
// "Scoring a circuit"), shared by `brainwire discover --sweep` and the study.
// Ground truth comes from per-output circuits: output o's circuit is discovered with the metric
// restricted to o (discover's `outputs`), and only o's row of the inputs it reaches is compared with the
// truth. A whole-model circuit would credit an output with inputs that only its neighbours need.
import type { Mlp } from "../model/mlp.ts";
import type { Dataset } from "../tasks/types.ts";
import { discover, type DiscoverOptions, type Discovery } from "./discover.ts";
import { groundTruthScore, reachedInputs, sweepAuc } from "./ground-truth.ts";
import type { CircuitScores } from "./score.ts";
import { sweepTau } from "./sweep.ts";

/** One discovered circuit, scored on held-out data (score.ts), as plain JSON data. */
export interface CircuitPoint {
  /** ACDC's tolerance or EAP's |score| threshold; absent for an EAP top-k selection. */
  tau?: number;
  /** EAP: the number of top-|score| edges kept, when selected by count. */
  topK?: number;
  edges: number;
  totalEdges: number;
  sparsity: number;
  neurons: number;
  totalNeurons: number;
  faithfulness: number;
  faithfulnessMetric: CircuitScores["faithfulnessMetric"];
  task: CircuitScores["task"];
  modularity: number;
  /** Wall-clock of the whole-model discovery (per-output runs for ground truth not included). */
  ms: number;
  evaluations: number;
  circuitHash: string;
  /** Per original output, the original inputs its own circuit reaches (tasks with ground truth). */
  found?: number[][];
  /** found against the truth, micro-averaged over outputs. */
  groundTruth?: { precision: number | null; recall: number };
}

export interface SweepSummary {
  points: CircuitPoint[];
  /** Normalised area under faithfulness vs edge fraction (sweep.ts; lower = more discoverable). */
  area: number;
  /** ROC AUC of the per-output circuits over the sweep; absent without ground truth or negatives. */
  auc?: number;
}

/**
 * Discovers the circuit of `o` (its `truth` is used only for the per-output ground truth described
 * at the top of this file) and scores it.
 */
export function circuitPoint(model: Mlp, data: Dataset, o: DiscoverOptions): { point: CircuitPoint;
  discovery: Discovery } {
  const { truth, ...opts } = o;
  const d = discover(model, data, opts);
  const s = d.circuit.scores as CircuitScores;
  const point: CircuitPoint = {
    edges: s.edges,
    totalEdges: s.totalEdges,
    sparsity: s.sparsity,
    neurons: s.neurons,
    totalNeurons: s.totalNeurons,
    faithfulness: s.faithfulness,
    faithfulnessMetric: s.faithfulnessMetric,
    task: s.task,
    modularity: s.modularity,
    ms: d.ms,
    evaluations: d.evaluations,
    circuitHash: d.circuitHash,
  };
  if (d.circuit.settings.tau !== undefined) point.tau = d.circuit.settings.tau;
  if (d.circuit.settings.topK !== undefined) point.topK = d.circuit.settings.topK;
  if (truth && !model.spec.embed) {
    const outputs = model.spec.shape[model.depth];
    point.found = outputs === 1 ? reachedInputs(model, d.mask) : Array.from({ length: outputs }, (_, out) =>
      reachedInputs(model, discover(model, data, { ...opts, outputs: [out], onProgress: undefined }).mask)[out]);
    const { precision, recall } = groundTruthScore(point.found, truth).total;
    point.groundTruth = { precision, recall };
  }
  return { point, discovery: d };
}

/**
 * circuitPoint at every τ of `grid`, then the area and the ground-truth AUC. `at` gives the options
 * that vary with τ: by default τ itself (ACDC's tolerance, EAP's threshold); e.g. an EAP top-k matched
 * to another method's circuit size at that τ. Points keep the grid's τ either way (the AUC ranks by it).
 */
export async function discoverSweep(model: Mlp, data: Dataset, o: DiscoverOptions, grid: number[],
  progress: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  at: (tau: number) => DiscoverOptions = (tau) => ({ tau })): Promise<SweepSummary> {
  const opts = { ...o, tau: undefined, topK: undefined, onProgress: undefined, signal: progress.signal };
  const { points, area } = await sweepTau((tau) => circuitPoint(model, data, { ...opts, ...at(tau) }).point,
    { grid, ...progress });
  const summary: SweepSummary = { points, area };
  const truth = o.truth;
  const inputs = model.spec.shape[0];
  // AUC needs a negative: an input some output does not depend on (composition's one output uses all).
  if (truth && points.every((p) => p.found) && truth.some((t) => t.length < inputs)) {
    summary.auc = sweepAuc(points.map((p) => ({ tau: p.tau!, found: p.found! })), truth, inputs);
  }
  return summary;
}
