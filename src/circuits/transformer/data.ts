// What a transformer discovery runs on: n sequences of T positions, their corrupted partners (resample),
// the positions the metric scores, and the labels or targets the task metrics need.
// Corrupted inputs (ours where the task has none): the task's own (induction re-draws the segment's
// first occurrence and keeps the copy), else the same split in a seeded shuffled order, so sequence k
// is paired with sequence order[k] (as the MLP discovery pairs examples).
import { Rng } from "../../engine/random.ts";
import type { TransformerSpec } from "../../model/transformer-spec.ts";
import type { SeqDataset, SeqSplit } from "../../tasks/sequence-types.ts";
import type { Ablation } from "../types.ts";

export interface SeqDiscoveryData {
  /** Sequences. */
  n: number;
  /** Positions per sequence (the model's ctx). */
  T: number;
  /** Token ids n·T (i32), or vectors n·T·inDim (f32). */
  clean: Int32Array | Float32Array;
  /** Paired corrupted inputs, shaped like clean (resample). */
  corrupted?: Int32Array | Float32Array;
  /** n·T: 1 where the metric scores that position. */
  mask: Uint8Array;
  /** Classification: next-token ids n·T (read at scored positions). */
  labels?: Int32Array;
  /** Regression: targets n·T·outDim. */
  targets?: Float32Array;
}

/** Discovery data from a split: its first `limit` sequences, the task's corrupted inputs or a shuffled pairing. */
export function seqDiscoveryData(ds: SeqDataset, split: SeqSplit, seed: number, limit = split.n): SeqDiscoveryData {
  const n = Math.min(split.n, limit);
  const T = ds.ctx;
  const width = T * (ds.inDim ?? 1);
  const clean = split.x.subarray(0, n * width);
  let corrupted: Int32Array | Float32Array;
  if (split.corrupted) corrupted = split.corrupted.subarray(0, n * width);
  else {
    const order = new Rng(seed).permutation(n);
    corrupted = clean instanceof Int32Array ? new Int32Array(clean.length) : new Float32Array(clean.length);
    for (let r = 0; r < n; r++) corrupted.set(clean.subarray(order[r] * width, (order[r] + 1) * width), r * width);
  }
  const data: SeqDiscoveryData = { n, T, clean, corrupted, mask: split.mask.subarray(0, n * T) };
  if (ds.kind === "classification") data.labels = (split.y as Int32Array).subarray(0, n * T);
  else data.targets = (split.y as Float32Array).subarray(0, n * T * ds.outDim);
  return data;
}

/** Checks data against a model and an ablation; the message names the field. */
export function checkSeqData(spec: TransformerSpec, data: SeqDiscoveryData, ablation: Ablation): void {
  const { n, T } = data;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`discovery data: need at least one sequence, got n = ${n}`);
  if (T !== spec.ctx) throw new RangeError(`discovery data: sequences of ${T} positions, the model's ctx is ${spec.ctx}`);
  const tokens = spec.vocab !== undefined;
  const width = n * T * (tokens ? 1 : spec.inDim!);
  const kind = tokens ? Int32Array : Float32Array;
  const check = (x: unknown, field: string) => {
    if (!(x instanceof kind) || x.length !== width) {
      throw new RangeError(`discovery data: ${field} must be a ${kind.name} of ${width} (${n} sequences × ${T}` +
        `${tokens ? "" : ` × ${spec.inDim}`})`);
    }
    if (tokens) {
      for (const t of x as Int32Array) {
        if (t < 0 || t >= spec.vocab!) throw new RangeError(`discovery data: ${field} holds token ${t}, not below vocab ${spec.vocab}`);
      }
    }
  };
  check(data.clean, "clean");
  if (ablation === "resample") {
    if (!data.corrupted) throw new Error("ablation resample needs paired corrupted inputs");
    check(data.corrupted, "corrupted");
  }
  if (data.mask.length !== n * T) throw new RangeError(`discovery data: mask must hold ${n * T} positions`);
  if (data.labels && data.labels.length !== n * T) throw new RangeError(`discovery data: labels must hold ${n * T}`);
  if (data.targets && data.targets.length !== n * T * spec.outDim) {
    throw new RangeError(`discovery data: targets must hold ${n * T * spec.outDim} (${n}·${T}·${spec.outDim})`);
  }
}

/**
 * The scored rows (global row b·T + t), ascending: the mask's positions, restricted to `positions` when
 * given. Throws when none is left.
 */
export function scoredRows(data: SeqDiscoveryData, positions?: number[]): Int32Array {
  const { n, T } = data;
  let keep: Uint8Array | undefined;
  if (positions) {
    if (positions.length === 0) throw new RangeError("positions: the list is empty");
    keep = new Uint8Array(T);
    for (const t of positions) {
      if (!Number.isInteger(t) || t < 0 || t >= T) throw new RangeError(`positions: ${t} is not a position < ${T}`);
      keep[t] = 1;
    }
  }
  const rows: number[] = [];
  for (let g = 0; g < n * T; g++) if (data.mask[g] && (!keep || keep[g % T])) rows.push(g);
  if (rows.length === 0) {
    throw new Error(`discovery data: no scored position${positions ? ` among positions [${positions}]` : ""}`);
  }
  return Int32Array.from(rows);
}
