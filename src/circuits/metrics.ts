// The discovery metrics (docs/discovery.md "Metric"), always minimised, as a mean over examples of a
// per-example term computed in WASM (assembly/ablate-metrics.ts termOf; exp and log never run in JS):
//   kl          KL(p_full ‖ p_circuit) of the softmax outputs. Restricted to outputs S, the
//               distributions are coarse-grained to the classes of S plus one class "everything
//               else" (so a one-output circuit must keep that output's probability; S = all outputs
//               is the plain KL).
//   mse         mean over examples and over S of (y_circuit − y_full)².
//   logit-diff  −(y[label] − max_{c ≠ label} y[c]): the label's margin over the strongest other
//               output, negated. Examples whose label is outside S are not counted.
//   nll         −log softmax(y)[label] over all outputs. Examples whose label is outside S are not
//               counted.
// Outputs are given by original index and mapped to network slots through outPerm.
import type { Mlp } from "../model/mlp.ts";
import { metricBuffers, pad4, writePlan } from "./ablate-plan.ts";
import { METRICS, type DiscoveryData, type MetricName } from "./types.ts";

/** What the metric kernel needs besides the outputs: metric id, output subset, counted examples. */
export interface MetricSetup {
  name: MetricName;
  /** Index into METRICS, the kernel's metric id. */
  kind: number;
  /** Per output slot: 1 if in the subset S. */
  inS: Int32Array;
  /** Outputs in S. */
  nS: number;
  /** Per example: the label's output slot, or −1 when the example is not counted. */
  labelSlot: Int32Array;
  /** Examples the mean runs over. */
  count: number;
}

export function checkMetricName(metric: unknown): MetricName {
  if (typeof metric !== "string" || !METRICS.includes(metric as MetricName)) {
    throw new Error(`unknown metric "${String(metric)}"; use ${METRICS.join(", ")}`);
  }
  return metric as MetricName;
}

export function metricSetup(model: Mlp, data: DiscoveryData, metric: MetricName, outputs?: number[]): MetricSetup {
  const dOut = model.spec.shape[model.depth];
  const slotOf = new Int32Array(dOut);
  model.outPerm.forEach((orig, p) => (slotOf[orig] = p));
  return metricSetupFor(dOut, slotOf, data.n, data.labels, metric, outputs);
}

/**
 * The set-up for any model with dOut outputs: slotOf maps an original output to its slot, labels
 * (original classes, one per example of n) feed logit-diff and nll. The transformer discovery calls it
 * with one "example" per scored position.
 */
export function metricSetupFor(dOut: number, slotOf: Int32Array, n: number, labels: Int32Array | undefined,
  metric: MetricName, outputs?: number[]): MetricSetup {
  const name = checkMetricName(metric);
  const inS = new Int32Array(dOut).fill(outputs ? 0 : 1);
  if (outputs) {
    if (outputs.length === 0) throw new RangeError("outputs: the subset is empty");
    for (const o of outputs) {
      if (!Number.isInteger(o) || o < 0 || o >= dOut) {
        throw new RangeError(`outputs: ${o} is not an output index < ${dOut}`);
      }
      inS[slotOf[o]] = 1;
    }
  }
  const nS = inS.reduce((a, v) => a + v, 0);
  const labelSlot = new Int32Array(n).fill(-1);
  let count = n;
  if (name === "kl" && dOut < 2) {
    throw new Error("metric kl needs at least two outputs (a softmax over one is constant)");
  }
  if (name === "logit-diff" || name === "nll") {
    if (!labels) throw new Error(`metric ${name} needs class labels in the discovery data`);
    if (labels.length !== n) throw new RangeError(`labels: expected ${n}, got ${labels.length}`);
    if (name === "logit-diff" && dOut < 2) throw new Error("metric logit-diff needs at least two outputs");
    count = 0;
    for (let k = 0; k < n; k++) {
      const y = labels[k];
      if (!Number.isInteger(y) || y < 0 || y >= dOut) {
        throw new RangeError(`labels: ${y} at ${k} is not a class < ${dOut}`);
      }
      if (inS[slotOf[y]]) {
        labelSlot[k] = slotOf[y];
        count++;
      }
    }
    if (count === 0) throw new Error(`metric ${name}: no example has a label among outputs [${outputs}]`);
  }
  return { name, kind: METRICS.indexOf(name), inS, nS, labelSlot, count };
}

/**
 * The metric of circuit outputs `y` against the full model's `yFull` (both n × d_out in network slot
 * order, f32), computed by the WASM kernel. For tests and scoring; ACDC keeps the same buffers live.
 */
export function metricValue(model: Mlp, data: DiscoveryData, metric: MetricName, yFull: Float32Array,
  y: Float32Array, outputs?: number[]): number {
  const e = model.engine;
  const setup = metricSetup(model, data, metric, outputs);
  const dOut = model.spec.shape[model.depth];
  const n = data.n;
  if (yFull.length !== n * dOut || y.length !== n * dOut) {
    throw new RangeError(`metricValue: outputs must be ${n}×${dOut}, got ${yFull.length} and ${y.length}`);
  }
  const bufs = metricBuffers(e, setup, yFull, n, dOut);
  const scratch = e.alloc(pad4(dOut) + 4);
  const yb = e.from(y);
  const plan = writePlan(e, { depth: 0, n, dOut, setup, bufs, layers: [], scratch });
  try {
    e.k.metricSetup(plan.ptr);
    return e.k.metricTerms(plan.ptr, yb.ptr, bufs.terms.ptr) / setup.count;
  } finally {
    e.free(plan, yb, scratch, ...Object.values(bufs));
  }
}
