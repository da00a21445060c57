// The task metrics EAP differentiates (spec/discovery.md "Metric"), minimised, on outputs in network slot
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
import type { DiscoveryData, MetricName } from "./types.ts";

/** What a task metric compares against, in slot order, built once per discovery run. */
export interface TaskTarget {
  metric: Exclude<MetricName, "kl">;
  n: number;
  dOut: number;
  /** Per example, the label's output slot (classification metrics, and mse on labels). */
  labelSlot?: Int32Array;
  /** n × dOut targets in slot order (mse). */
  target?: Float32Array;
  /** 1 = the example counts (nll, logit-diff with an output subset). */
  rows: Uint8Array;
  /** 1 = the output slot counts (mse with an output subset). */
  slots: Uint8Array;
  /** The mean's denominator: counted examples (× counted slots for mse). */
  count: number;
}

export function taskTarget(model: Mlp, data: DiscoveryData, metric: MetricName, outputs?: number[]): TaskTarget {
  if (metric === "kl") {
    throw new Error("EAP needs a task metric (logit-diff, nll or mse): KL to the full model has zero gradient at " +
      "the clean point, so every first-order score would be 0");
  }
  const { n } = data;
  const dOut = model.spec.shape[model.depth];
  const slotOf = new Int32Array(dOut);
  model.outPerm.forEach((orig, p) => (slotOf[orig] = p));
  const chosen = new Uint8Array(dOut).fill(outputs ? 0 : 1); // by original output
  for (const o of outputs ?? []) {
    if (!Number.isInteger(o) || o < 0 || o >= dOut) {
      throw new RangeError(`outputs: ${o} is not an output index < ${dOut}`);
    }
    chosen[o] = 1;
  }
  if (outputs && outputs.length === 0) throw new RangeError("outputs: the subset is empty");
  const slots = new Uint8Array(dOut);
  for (let o = 0; o < dOut; o++) slots[slotOf[o]] = chosen[o];
  const rows = new Uint8Array(n).fill(1);
  let labelSlot: Int32Array | undefined;
  if (data.labels) {
    if (data.labels.length !== n) throw new RangeError(`labels: expected ${n}, got ${data.labels.length}`);
    labelSlot = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const y = data.labels[r];
      if (!Number.isInteger(y) || y < 0 || y >= dOut) {
        throw new RangeError(`labels: ${y} at ${r} is not a class < ${dOut}`);
      }
      labelSlot[r] = slotOf[y];
    }
  }
  if (metric === "mse") {
    let target: Float32Array;
    if (data.targets) {
      if (data.targets.length !== n * dOut) {
        throw new RangeError(`targets: expected ${n}×${dOut}, got ${data.targets.length}`);
      }
      target = new Float32Array(n * dOut);
      for (let r = 0; r < n; r++) {
        for (let p = 0; p < dOut; p++) target[r * dOut + p] = data.targets[r * dOut + model.outPerm[p]];
      }
    } else if (labelSlot) {
      target = new Float32Array(n * dOut);
      for (let r = 0; r < n; r++) target[r * dOut + labelSlot[r]] = 1;
    } else {
      throw new Error("metric mse needs targets or labels in the discovery data");
    }
    const s = slots.reduce((a, v) => a + v, 0);
    return { metric, n, dOut, labelSlot, target, rows, slots, count: n * s };
  }
  if (!labelSlot) throw new Error(`metric ${metric} needs class labels in the discovery data`);
  if (metric === "logit-diff" && dOut < 2) throw new Error("metric logit-diff needs at least two outputs");
  let count = 0;
  for (let r = 0; r < n; r++) count += rows[r] = chosen[model.outPerm[labelSlot[r]]];
  if (count === 0) throw new Error(`no example has a label among outputs [${outputs}]`);
  return { metric, n, dOut, labelSlot, rows, slots: slots.fill(1), count };
}

/**
 * g (count × dOut) = ∂M/∂z for rows start..start+count whose outputs z sit at `out`. `labels` is
 * scratch for `count` i32 labels (nll). Contributions are already divided by the full mean's count.
 */
export function metricGradient(e: Engine, t: TaskTarget, out: Buf, g: Buf, labels: Buf, start: number,
  count: number): void {
  const { dOut } = t;
  if (t.metric === "nll" && t.labelSlot) {
    e.i32(labels).set(t.labelSlot.subarray(start, start + count));
    // the kernel divides by its batch size; gradScale = count / total gives 1/total per row
    e.k.softmaxCrossEntropy(out.ptr, labels.ptr, g.ptr, count, dOut, count / t.count);
    const gv = e.f32(g);
    for (let r = 0; r < count; r++) if (!t.rows[start + r]) gv.fill(0, r * dOut, (r + 1) * dOut);
    return;
  }
  const gv = e.f32(g);
  if (t.metric === "logit-diff" && t.labelSlot) {
    const z = e.f32(out);
    for (let r = 0; r < count; r++) {
      gv.fill(0, r * dOut, (r + 1) * dOut);
      if (!t.rows[start + r]) continue;
      const y = t.labelSlot[start + r];
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
      gv[i] = t.slots[p] ? (2 * (z[i] - tv[(start + r) * dOut + p])) / t.count : 0;
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
        if (t.slots[p]) s += d * d;
      }
      continue;
    }
    if (!t.rows[r]) continue;
    const y = (t.labelSlot as Int32Array)[r];
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
