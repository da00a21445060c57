// The task metrics EAP differentiates (docs/discovery.md "Metric"), minimised, on outputs in network slot
// order. KL to the full model is zero with zero gradient at the clean point, so EAP cannot use it.
//   nll:        (1/n) Σ_r −log softmax(z_r)[y_r]                 (softmax over every output)
//   logit-diff: −(1/n) Σ_r (z_r[y_r] − max_{c≠y_r} z_r[c])        (the label's margin over the strongest other)
//   mse:        (1/(n·|S|)) Σ_r Σ_{p∈S} (z_r[p] − t_r[p])²        (targets, or one-hot labels)
// Restricting to outputs S (original indices): mse averages over S only; nll and logit-diff keep the
// examples whose label is in S (a class's circuit), n counting those examples. nll and logit-diff are
// defined as in metrics.ts (ACDC's metrics); mse here is to the true targets, where ACDC's mse compares
// with the full model. logit-diff's gradient at a tie of the strongest others goes to the first.
// Values and gradients come from the metric kernels (assembly/ablate-metrics.ts), the maths ACDC's metrics
// use: a plan without layers whose reference outputs are the true targets (mse); nll's gradient is the
// softmax cross-entropy kernel's (the training loss).
import type { Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { metricBuffers, pad4, type PlanBuffers, writePlan } from "./ablate-plan.ts";
import { metricSetup, type MetricSetup } from "./metrics.ts";
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
  /** The metric kernels' set-up (metrics.ts). */
  setup: MetricSetup;
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
  const base = { n, dOut, labelSlot: setup.labelSlot, inS: setup.inS, setup };
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

/** A task metric in WASM: its plan and buffers, made once per run; dispose() frees them. */
export class TaskMetric {
  private readonly bufs: PlanBuffers;
  private readonly scratch: Buf<"f64">;
  private readonly plan: Buf<"i32">;

  constructor(
    readonly engine: Engine,
    readonly target: TaskTarget,
  ) {
    const t = target;
    this.bufs = metricBuffers(engine, t.setup, t.target ?? new Float32Array(t.n * t.dOut), t.n, t.dOut);
    this.scratch = engine.alloc(pad4(t.dOut) + 2, "f64"); // one padded row of f64 outputs, 16-byte aligned
    this.plan = writePlan(engine, { depth: 0, n: t.n, dOut: t.dOut, setup: t.setup, bufs: this.bufs, layers: [],
      scratch: this.scratch });
  }

  /** M over all rows of outputs z (n × dOut, slot order), f32 or f64 (a reference network's). */
  value(z: Float32Array | Float64Array): number {
    const e = this.engine;
    const t = this.target;
    if (z.length !== t.n * t.dOut) throw new RangeError(`task metric: outputs must be ${t.n}×${t.dOut}, got ${z.length}`);
    const y = z instanceof Float64Array ? e.from(z, "f64") : e.from(z);
    try {
      const sum = y.type === "f64" ? e.k.metricTerms64(this.plan.ptr, y.ptr, this.bufs.terms.ptr)
        : e.k.metricTerms(this.plan.ptr, y.ptr, this.bufs.terms.ptr);
      return sum / t.setup.count;
    } finally {
      e.free(y);
    }
  }

  /**
   * g (count × dOut) = ∂M/∂z for rows start..start+count whose outputs z sit at `out`. `labels` is
   * scratch for `count` i32 labels (nll). Contributions are already divided by the full mean's count.
   */
  gradient(out: Buf, g: Buf, labels: Buf<"i32">, start: number, count: number): void {
    const e = this.engine;
    const t = this.target;
    if (t.metric !== "nll") {
      e.k.metricGradient(this.plan.ptr, out.ptr, g.ptr, start, count);
      return;
    }
    // uncounted examples (label −1) get label 0 here and a zero gradient below
    const lv = e.i32(labels);
    for (let r = 0; r < count; r++) lv[r] = Math.max(0, t.labelSlot[start + r]);
    // the kernel divides by its batch size; gradScale = count / total gives 1/total per row
    e.k.softmaxCrossEntropy(out.ptr, labels.ptr, g.ptr, count, t.dOut, count / t.count);
    const gv = e.f32(g);
    for (let r = 0; r < count; r++) if (t.labelSlot[start + r] < 0) gv.fill(0, r * t.dOut, (r + 1) * t.dOut);
  }

  dispose(): void {
    this.engine.free(this.plan, this.scratch, ...Object.values(this.bufs));
  }
}

/** M over all rows of outputs z (n × dOut, slot order): one TaskMetric made for the call. */
export function taskMetricValue(e: Engine, t: TaskTarget, z: Float32Array | Float64Array): number {
  const m = new TaskMetric(e, t);
  try {
    return m.value(z);
  } finally {
    m.dispose();
  }
}
