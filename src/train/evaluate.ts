// What a trained model is worth: its task metric on a split, and its mean wire length.
import { distanceMatrix } from "../model/coords.ts";
import type { Mlp } from "../model/mlp.ts";
import { Pass, uploadInputs } from "../model/pass.ts";
import type { Dataset, Split } from "../tasks/types.ts";

/** Accuracy (classification) or MSE against the targets (regression) on a split; NaN for an empty split. */
export function evaluate(model: Mlp, split: Split, data: Dataset): { value: number; metric: "accuracy" | "mse" } {
  const metric = data.kind === "classification" ? "accuracy" : "mse";
  if (split.n === 0) return { value: NaN, metric };
  const e = model.engine;
  const x = uploadInputs(e, split.x, inputWidth(data));
  const pass = new Pass(model, Math.min(1000, Math.max(1, split.n)));
  const dOut = model.spec.shape[model.depth];
  // labels in output-slot order (classification) or targets (regression)
  const scratch = data.kind === "classification" ? e.alloc(pass.rows, "i32") : e.alloc(pass.rows * dOut);
  const slotOf = inverse(model.outPerm);
  let correct = 0;
  let sq = 0;
  try {
    for (let start = 0; start < split.n; start += pass.rows) {
      const count = Math.min(pass.rows, split.n - start);
      pass.load(x, null, start, count);
      const out = pass.forward(count);
      if (scratch.type === "i32") {
        const labels = e.i32(scratch);
        for (let r = 0; r < count; r++) labels[r] = slotOf[split.y[start + r]];
        correct += e.k.countCorrect(out.ptr, scratch.ptr, count, dOut);
      } else {
        const t = e.f32(scratch);
        for (let r = 0; r < count; r++) {
          for (let p = 0; p < dOut; p++) t[r * dOut + p] = split.y[(start + r) * dOut + model.outPerm[p]];
        }
        sq += e.k.mseLoss(out.ptr, scratch.ptr, 0, count * dOut, 1) * count * dOut;
      }
    }
  } finally {
    pass.dispose();
    e.free(scratch, x.buf);
  }
  return data.kind === "classification"
    ? { value: correct / split.n, metric: "accuracy" }
    : { value: sq / (split.n * dOut), metric: "mse" };
}

/** Mean wire length Σ|w|·dist / Σ|w| over all weight layers (raw in-layer distance, 1-D or Manhattan). */
export function wireLength(model: Mlp): number {
  const p = model.engine.f32(model.params);
  let num = 0;
  let den = 0;
  for (let l = 0; l < model.depth; l++) {
    const d = distanceMatrixCached(model, l);
    const base = model.layout.weight[l];
    for (let i = 0; i < d.length; i++) {
      const w = Math.abs(p[base + i]);
      num += w * d[i];
      den += w;
    }
  }
  return den > 0 ? num / den : 0;
}

const distCache = new WeakMap<object, Float32Array[]>();
function distanceMatrixCached(model: Mlp, l: number): Float32Array {
  let list = distCache.get(model.spec);
  if (!list) distCache.set(model.spec, (list = []));
  return (list[l] ??= distanceMatrix(model.spec, l));
}


/** Width of one example's input row in the dataset: features, or token ids per example. */
export function inputWidth(data: Dataset): number {
  return data.inputDim;
}

/** The inverse of a permutation. */
function inverse(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let p = 0; p < perm.length; p++) inv[perm[p]] = p;
  return inv;
}
