// Ground truth for tasks that know which inputs each output depends on (the symbolic formulas,
// Task.groundTruth): which original input features reach which original output through kept edges,
// precision/recall of those input→output pairs, and the ROC AUC of a τ sweep.
// Slots vs original order: network input slot s (in fold f, column f·n + s) reads original feature
// f·n + inPerm[s]; output slot p holds original output outPerm[p].
import type { Mlp } from "../model/mlp.ts";
import { checkMask } from "./sparse.ts";
import type { EdgeMask } from "./types.ts";

type Perms = Pick<Mlp, "spec" | "inPerm" | "outPerm">;

/** Per original output, the sorted original input features with a kept path to it. */
export function reachedInputs(model: Perms, mask: EdgeMask): number[][] {
  const { spec } = model;
  if (spec.embed) throw new Error("ground truth: inputs of an embedding model are token embeddings, not features");
  checkMask(spec, mask);
  const { shape, inFold } = spec;
  const depth = shape.length - 1;
  const slots = shape[0] / inFold;
  const found: number[][] = Array.from({ length: shape[depth] }, () => []);
  for (let p = 0; p < shape[depth]; p++) {
    // walk back from output slot p: reach = neurons of layer l with a kept path to p
    let reach = new Uint8Array(shape[depth]);
    reach[p] = 1;
    for (let l = depth - 1; l >= 0; l--) {
      const prev = new Uint8Array(shape[l]);
      const nIn = shape[l];
      for (let j = 0; j < shape[l + 1]; j++) {
        if (!reach[j]) continue;
        for (let i = 0; i < nIn; i++) if (mask[l][j * nIn + i]) prev[i] = 1;
      }
      reach = prev;
    }
    const inputs: number[] = [];
    reach.forEach((on, c) => on && inputs.push(c - (c % slots) + model.inPerm[c % slots]));
    found[model.outPerm[p]] = inputs.sort((a, b) => a - b);
  }
  return found;
}

export interface PrecisionRecall {
  /**
   * Found pairs that are true / found pairs; null when nothing was found: a circuit that connects no
   * input to an output makes no claim, and scoring it 1 would rank an empty circuit best.
   */
  precision: number | null;
  /** Found pairs that are true / true pairs; 1 when there is nothing to find. */
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

function pr(tp: number, fp: number, fn: number): PrecisionRecall {
  return { precision: tp + fp ? tp / (tp + fp) : null, recall: tp + fn ? tp / (tp + fn) : 1, tp, fp, fn };
}

/**
 * Precision/recall of found input→output pairs against the truth, per output and over all pairs
 * (micro-average). For per-output circuits, pass row o of output o's own circuit as found[o].
 */
export function groundTruthScore(found: number[][], truth: number[][]): { perOutput: PrecisionRecall[];
  total: PrecisionRecall } {
  if (found.length !== truth.length) {
    throw new RangeError(`ground truth: ${found.length} outputs found, the task has ${truth.length}`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perOutput = truth.map((t, o) => {
    const want = new Set(t);
    const hits = found[o].filter((x) => want.has(x)).length;
    tp += hits;
    fp += found[o].length - hits;
    fn += t.length - hits;
    return pr(hits, found[o].length - hits, t.length - hits);
  });
  return { perOutput, total: pr(tp, fp, fn) };
}

/** ROC AUC: P(score of a positive > score of a negative), ties counting ½ (Mann–Whitney). */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  // average ranks (1-based) over runs of tied scores
  for (let start = 0; start < idx.length; ) {
    let end = start;
    while (end + 1 < idx.length && scores[idx[end + 1]] === scores[idx[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let r = start; r <= end; r++) {
      if (positive[idx[r]]) {
        pos++;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) throw new RangeError("ROC AUC needs at least one positive and one negative");
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * ROC AUC of a τ sweep against the truth. Each (output, input) pair scores the largest τ at which the
 * circuit still connects it (0 if it never does): a pair that survives larger τ is ranked more
 * relevant. `points[k].found` is reachedInputs of the circuit at `points[k].tau`.
 */
export function sweepAuc(points: { tau: number; found: number[][] }[], truth: number[][], inputs: number): number {
  const score = new Float64Array(truth.length * inputs);
  const positive: boolean[] = new Array(score.length).fill(false);
  truth.forEach((t, o) => t.forEach((x) => (positive[o * inputs + x] = true)));
  for (const { tau, found } of points) {
    found.forEach((xs, o) => xs.forEach((x) => (score[o * inputs + x] = Math.max(score[o * inputs + x], tau))));
  }
  return rocAuc(score, positive);
}
