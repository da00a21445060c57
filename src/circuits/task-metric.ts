// The task metrics EAP differentiates (docs/discovery.md "Metric"), minimised, on outputs in network slot
// order. KL to the full model is zero with zero gradient at the clean point, so EAP cannot use it.
//   nll:        (1/n) Σ_r −log softmax(z_r)[y_r]                 (softmax over every output)
//   logit-diff: −(1/n) Σ_r (z_r[y_r] − max_{c≠y_r} z_r[c])        (the label's margin over the strongest other)
//   mse:        (1/(n·|S|)) Σ_r Σ_{p∈S} (z_r[p] − t_r[p])²        (targets, or one-hot labels)
// Restricting to outputs S (original indices): mse averages over S only; nll and logit-diff keep the
// examples whose label is in S (a class's circuit), n counting those examples. nll and logit-diff are
// defined as in metrics.ts (ACDC's metrics); mse here is to the true targets, where ACDC's mse compares
// with the full model. logit-diff's gradient at a tie of the strongest others goes to the first.
import type { Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { metricSetup } from "./metrics.ts";
import type { DiscoveryData, MetricName } from "./types.ts";

/** What a task metric compares against, in slot order, built once per discovery run. */
export interface TaskTarget {
  metric: Exclude<MetricName, "kl">;
  n: number;
  dOut: number;
  /** Per example, the label's output slot; −1 when the example does not count (and always for mse). */
  labelSlot: Int32Array;
  /** n × dOut targets in slot order (mse). */
  target?: Float32Array;
  /** Per output slot, 1 if it counts (mse with an output subset). */
  inS: Int32Array;
  /** The mean's denominator: counted examples (× counted slots for mse). */
  count: number;
}

/** Validates the metric, its output subset and the labels or targets it needs (via metrics.ts). */
export function taskTarget(model: Mlp, data: DiscoveryData, metric: MetricName, outputs?: number[]): TaskTarget {
  if (metric === "kl") {
    throw new Error("EAP needs a task metric (logit-diff, nll or mse): KL to the full model has zero gradient at " +
      "the clean point, so every first-order score would be 0");
  }
  const setup = metricSetup(model, data, metric, outputs);
  const { n } = data;
  const dOut = model.spec.shape[model.depth];
  const base = { n, dOut, labelSlot: setup.labelSlot, inS: setup.inS };
  if (metric !== "mse") return { metric, ...base, count: setup.count };
  const target = new Float32Array(n * dOut);
  if (data.targets) {
    if (data.targets.length !== n * dOut) {
      throw new RangeError(`targets: expected ${n}×${dOut}, got ${data.targets.length}`);
    }
    for (let r = 0; r < n; r++) {
      for (let p = 0; p < dOut; p++) target[r * dOut + p] = data.targets[r * dOut + model.outPerm[p]];
    }
  } else if (data.labels) {
    const { labelSlot } = metricSetup(model, data, "nll"); // checks the labels; every example counts
    for (let r = 0; r < n; r++) target[r * dOut + labelSlot[r]] = 1;
  } else {
    throw new Error("metric mse needs targets or labels in the discovery data");
  }
  return { metric, ...base, target, count: n * setup.nS };
}

/**
 * g (count × dOut) = ∂M/∂z for rows start..start+count whose outputs z sit at `out`. `labels` is
 * scratch for `count` i32 labels (nll). Contributions are already divided by the full mean's count.
 */
export function metricGradient(e: Engine, t: TaskTarget, out: Buf, g: Buf, labels: Buf<"i32">, start: number,
  count: number): void {
  const { dOut } = t;
  if (t.metric === "nll") {
    // uncounted examples (label −1) get label 0 here and a zero gradient below
    const lv = e.i32(labels);
    for (let r = 0; r < count; r++) lv[r] = Math.max(0, t.labelSlot[start + r]);
    // the kernel divides by its batch size; gradScale = count / total gives 1/total per row
    e.k.softmaxCrossEntropy(out.ptr, labels.ptr, g.ptr, count, dOut, count / t.count);
    const gv = e.f32(g);
    for (let r = 0; r < count; r++) if (t.labelSlot[start + r] < 0) gv.fill(0, r * dOut, (r + 1) * dOut);
    return;
  }
  const gv = e.f32(g);
  if (t.metric === "logit-diff") {
    const z = e.f32(out);
    for (let r = 0; r < count; r++) {
      gv.fill(0, r * dOut, (r + 1) * dOut);
      const y = t.labelSlot[start + r];
      if (y < 0) continue;
      gv[r * dOut + y] = -1 / t.count;
      gv[r * dOut + strongestOther(z, r * dOut, dOut, y)] = 1 / t.count;
    }
    return;
  }
  const z = e.f32(out);
  const tv = t.target as Float32Array;
  for (let r = 0; r < count; r++) {
    for (let p = 0; p < dOut; p++) {
      const i = r * dOut + p;
      gv[i] = t.inS[p] ? (2 * (z[i] - tv[(start + r) * dOut + p])) / t.count : 0;
    }
  }
}

/** M over all rows of outputs z (n × dOut, slot order) in f64; exp/log from the WASM module. */
export function taskMetricValue(e: Engine, t: TaskTarget, z: ArrayLike<number>): number {
  const { dOut } = t;
  let s = 0;
  for (let r = 0; r < t.n; r++) {
    if (t.metric === "mse") {
      const tv = t.target as Float32Array;
      for (let p = 0; p < dOut; p++) {
        const d = z[r * dOut + p] - tv[r * dOut + p];
        if (t.inS[p]) s += d * d;
      }
      continue;
    }
    const y = t.labelSlot[r];
    if (y < 0) continue;
    if (t.metric === "nll") {
      let mx = -Infinity;
      for (let p = 0; p < dOut; p++) mx = Math.max(mx, z[r * dOut + p]);
      let sum = 0;
      for (let p = 0; p < dOut; p++) sum += e.k.exp64(z[r * dOut + p] - mx);
      s += e.k.log64(sum) - (z[r * dOut + y] - mx);
    } else {
      s -= z[r * dOut + y] - z[r * dOut + strongestOther(z, r * dOut, dOut, y)];
    }
  }
  return s / t.count;
}

/** The first slot c ≠ y with the largest z[row + c]. */
function strongestOther(z: ArrayLike<number>, row: number, dOut: number, y: number): number {
  let best = -1;
  for (let c = 0; c < dOut; c++) if (c !== y && (best < 0 || z[row + c] > z[row + best])) best = c;
  return best;
}
