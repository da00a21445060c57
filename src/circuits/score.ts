// Scoring a circuit (docs/discovery.md "Scoring a circuit") on held-out examples.
// The circuit's forward pass is the dense model with every pruned edge i→j fed the ablated sender value
// instead of the circuit's own: z_j = Σ_{kept} W[j,i]·a_i + Σ_{pruned} W[j,i]·ã_i + b_j, with a the
// circuit's activations (removals propagate) and ã from the full model (ablation.ts). Per layer that is
// two GEMMs, a·(W⊙M)ᵀ + ã·(W⊙(1−M))ᵀ; zero ablation needs only the first (masked weights).
// For mean ablation ã is the mean over the held-out examples, for resample their paired corrupted runs.
import type { Buf } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import type { TaskKind } from "../tasks/types.ts";
import { ablatedSenders, checkData, fullRun } from "./ablation.ts";
import { groundTruthScore, reachedInputs } from "./ground-truth.ts";
import { metricValue } from "./metrics.ts";
import { circuitModularity } from "./modularity.ts";
import { checkMask } from "./sparse.ts";
import type { Ablation, DiscoveryData, EdgeMask } from "./types.ts";

export interface CircuitScores {
  /** KL(p_full ‖ p_circuit) (classification) or MSE to the full model's outputs (regression), held out. */
  faithfulness: number;
  faithfulnessMetric: "kl" | "mse";
  /** The task score of the circuit alone next to the full model's: accuracy, or MSE to the targets. */
  task: { metric: "accuracy" | "mse"; circuit: number; full: number };
  /** Kept edges, all edges, and sparsity = 1 − edges / totalEdges. */
  edges: number;
  totalEdges: number;
  sparsity: number;
  /** Neurons (inputs, hidden, outputs) on some input→output path of kept edges, and all neurons. */
  neurons: number;
  totalNeurons: number;
  /** Newman's Q of the kept-edge graph (|w|-weighted, greedy communities: modularity.ts). */
  modularity: number;
  /** Discovery wall-clock and edge evaluations, passed through from the run. */
  timeMs?: number;
  evaluations?: number;
  /** Input→output pairs against the task's truth (micro-averaged over the scored outputs). */
  groundTruth?: { precision: number | null; recall: number };
}

export interface ScoreOptions {
  ablation: Ablation;
  kind: TaskKind;
  /**
   * Original output indices the circuit is for. Faithfulness uses the restricted metric (metrics.ts);
   * accuracy counts the examples whose label is among them, MSE averages over them; ground truth
   * scores only their rows.
   */
  outputs?: number[];
  /** The task's per-output input sets (Task.groundTruth), original indices. */
  truth?: number[][];
  timeMs?: number;
  evaluations?: number;
}

/** Outputs (n × d_out, slot order) of the circuit's ablated forward pass and of the full model. */
export function circuitOutputs(model: Mlp, mask: EdgeMask, data: DiscoveryData, ablation: Ablation):
  { circuit: Float32Array; full: Float32Array } {
  checkMask(model.spec, mask);
  checkData(model, data, ablation);
  const e = model.engine;
  const { k } = e;
  const { shape } = model.spec;
  const L = model.depth;
  const n = data.n;
  const clean = fullRun(model, data.clean, n);
  const corrupted = ablation === "resample" ? fullRun(model, data.corrupted as Float32Array | Int32Array, n) :
    undefined;
  const owned: Buf[] = [];
  try {
    const abl = ablatedSenders(model, ablation, clean, corrupted);
    owned.push(...abl);
    const p = model.readParams();
    let a = clean.input; // the circuit reads the same inputs as the full model
    for (let l = 0; l < L; l++) {
      const nIn = shape[l];
      const nOut = shape[l + 1];
      const w = p.subarray(model.layout.weight[l], model.layout.weight[l] + nIn * nOut);
      const kept = e.from(w.map((v, i) => (mask[l][i] ? v : 0)));
      const z = e.alloc(n * nOut);
      owned.push(kept, z);
      k.gemm(0, 1, n, nOut, nIn, a.ptr, nIn, kept.ptr, nIn, z.ptr, nOut, 0);
      if (ablation !== "zero") {
        const pruned = e.from(w.map((v, i) => (mask[l][i] ? 0 : v)));
        owned.push(pruned);
        k.gemm(0, 1, n, nOut, nIn, abl[l].ptr, nIn, pruned.ptr, nIn, z.ptr, nOut, 1);
      }
      k.addBias(z.ptr, model.biasPtr(l), n, nOut);
      if (l + 1 < L) k.siluForward(z.ptr, z.ptr, n * nOut);
      a = z;
    }
    return { circuit: e.read(a), full: e.read(clean.z[L - 1]) };
  } finally {
    e.free(...owned);
    clean.dispose();
    corrupted?.dispose();
  }
}

/** Neurons on some input→output path of kept edges (reachable from an input, and reaching an output). */
export function connectedNeurons(shape: number[], mask: EdgeMask): number {
  const depth = shape.length - 1;
  const fwd = shape.map((n, l) => new Uint8Array(n).fill(l === 0 ? 1 : 0));
  for (let l = 0; l < depth; l++) {
    for (let j = 0; j < shape[l + 1]; j++) {
      for (let i = 0; i < shape[l]; i++) if (fwd[l][i] && mask[l][j * shape[l] + i]) fwd[l + 1][j] = 1;
    }
  }
  const bwd = shape.map((n, l) => new Uint8Array(n).fill(l === depth ? 1 : 0));
  for (let l = depth - 1; l >= 0; l--) {
    for (let j = 0; j < shape[l + 1]; j++) {
      if (!bwd[l + 1][j]) continue;
      for (let i = 0; i < shape[l]; i++) if (mask[l][j * shape[l] + i]) bwd[l][i] = 1;
    }
  }
  let count = 0;
  fwd.forEach((f, l) => f.forEach((on, i) => (count += on & bwd[l][i])));
  return count;
}

/** Every score of a circuit on held-out data (see CircuitScores). */
export function scoreCircuit(model: Mlp, mask: EdgeMask, heldOut: DiscoveryData, opts: ScoreOptions): CircuitScores {
  const { shape } = model.spec;
  const dOut = shape[model.depth];
  const { circuit, full } = circuitOutputs(model, mask, heldOut, opts.ablation);
  const faithfulnessMetric = opts.kind === "classification" ? "kl" : "mse";
  const faithfulness = metricValue(model, heldOut, faithfulnessMetric, full, circuit, opts.outputs);
  const chosen = new Uint8Array(dOut).fill(opts.outputs ? 0 : 1); // by original output
  for (const o of opts.outputs ?? []) chosen[o] = 1;
  const taskScore = opts.kind === "classification" ? accuracy : targetMse;
  const task = {
    metric: opts.kind === "classification" ? ("accuracy" as const) : ("mse" as const),
    circuit: taskScore(model, heldOut, circuit, chosen),
    full: taskScore(model, heldOut, full, chosen),
  };
  const edges = mask.reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0);
  const totalEdges = mask.reduce((s, m) => s + m.length, 0);
  const scores: CircuitScores = {
    faithfulness,
    faithfulnessMetric,
    task,
    edges,
    totalEdges,
    sparsity: 1 - edges / totalEdges,
    neurons: connectedNeurons(shape, mask),
    totalNeurons: shape.reduce((a, v) => a + v, 0),
    modularity: circuitModularity(model, mask).q,
  };
  if (opts.timeMs !== undefined) scores.timeMs = opts.timeMs;
  if (opts.evaluations !== undefined) scores.evaluations = opts.evaluations;
  if (opts.truth) {
    const found = reachedInputs(model, mask).map((row, o) => (chosen[o] ? row : []));
    const truth = opts.truth.map((row, o) => (chosen[o] ? row : []));
    const { precision, recall } = groundTruthScore(found, truth).total;
    scores.groundTruth = { precision, recall };
  }
  return scores;
}

/**
 * Fraction of counted examples (label among the chosen outputs) whose first argmax is the label: the
 * countCorrect kernel, as the training evaluation counts (uncounted examples get label −1, never an argmax).
 */
function accuracy(model: Mlp, data: DiscoveryData, y: Float32Array, chosen: Uint8Array): number {
  const labels = data.labels;
  if (!labels) throw new Error("scoring a classification circuit needs class labels in the held-out data");
  const dOut = model.spec.shape[model.depth];
  const slotOf = new Int32Array(dOut);
  model.outPerm.forEach((orig, p) => (slotOf[orig] = p));
  const slots = new Int32Array(data.n);
  let counted = 0;
  for (let r = 0; r < data.n; r++) {
    if (!Number.isInteger(labels[r]) || labels[r] < 0 || labels[r] >= dOut) {
      throw new RangeError(`labels: ${labels[r]} at ${r} is not a class < ${dOut}`);
    }
    slots[r] = chosen[labels[r]] ? slotOf[labels[r]] : -1;
    if (slots[r] >= 0) counted++;
  }
  if (counted === 0) throw new Error("scoring: no held-out example has a label among the circuit's outputs");
  const e = model.engine;
  const yb = e.from(y);
  const lb = e.from(slots, "i32");
  try {
    return e.k.countCorrect(yb.ptr, lb.ptr, data.n, dOut) / counted;
  } finally {
    e.free(yb, lb);
  }
}

/**
 * Mean over examples and chosen outputs of (y − target)², targets in original order: the mseLoss kernel
 * (the training evaluation's) over the chosen entries.
 */
function targetMse(model: Mlp, data: DiscoveryData, y: Float32Array, chosen: Uint8Array): number {
  const t = data.targets;
  const dOut = model.spec.shape[model.depth];
  if (!t || t.length !== data.n * dOut) {
    throw new Error(`scoring a regression circuit needs ${data.n}×${dOut} targets`);
  }
  const ys: number[] = [];
  const ts: number[] = [];
  for (let r = 0; r < data.n; r++) {
    for (let p = 0; p < dOut; p++) {
      const o = model.outPerm[p];
      if (!chosen[o]) continue;
      ys.push(y[r * dOut + p]);
      ts.push(t[r * dOut + o]);
    }
  }
  const e = model.engine;
  const yb = e.from(ys);
  const tb = e.from(ts);
  try {
    return e.k.mseLoss(yb.ptr, tb.ptr, 0, ys.length, 1);
  } finally {
    e.free(yb, tb);
  }
}
