// The discovery metrics on a transformer: the MLP discovery's metrics (src/circuits/metrics.ts, terms in
// WASM), each scored position one "example". KL of the next-token distribution (the default), logit
// difference and nll (the loss) at the scored positions, against the full model on the clean input;
// MSE of the chosen outputs for regression (icl-regression: output 0). The mean runs over the scored
// positions of every sequence.
import type { Buf, Engine } from "../../engine/engine.ts";
import type { TransformerSpec } from "../../model/transformer-spec.ts";
import { metricBuffers, pad4, writePlan, type PlanBuffers } from "../ablate-plan.ts";
import { metricSetupFor, type MetricSetup } from "../metrics.ts";
import type { TaskTarget } from "../task-metric.ts";
import type { MetricName } from "../types.ts";
import type { SeqDiscoveryData } from "./data.ts";

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Next-token labels at the scored rows (classification), for logit-diff and nll. */
function scoredLabels(data: SeqDiscoveryData, rows: Int32Array): Int32Array | undefined {
  return data.labels ? rows.map((g) => data.labels![g]) : undefined;
}

/** The metric at the scored rows, against the full model's logits there (yFull, R × outDim). */
export class SeqMetric {
  readonly setup: MetricSetup;
  readonly count: number;
  private readonly bufs: PlanBuffers;
  private readonly scratch: Buf;
  private readonly plan: Buf<"i32">;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    spec: TransformerSpec,
    data: SeqDiscoveryData,
    metric: MetricName,
    /** Scored global rows, ascending. */
    readonly rows: Int32Array,
    yFull: Float32Array,
    outputs?: number[],
  ) {
    const V = spec.outDim;
    const R = rows.length;
    if (yFull.length !== R * V) throw new RangeError(`metric: full outputs must be ${R}×${V}, got ${yFull.length}`);
    this.setup = metricSetupFor(V, identity(V), R, scoredLabels(data, rows), metric, outputs);
    this.count = this.setup.count;
    this.bufs = metricBuffers(engine, this.setup, yFull, R, V);
    this.scratch = engine.alloc(pad4(V) + 4);
    this.plan = writePlan(engine, { depth: 0, n: R, dOut: V, setup: this.setup, bufs: this.bufs, layers: [],
      scratch: this.scratch });
    engine.k.metricSetup(this.plan.ptr);
  }

  /** The metric of outputs y (R × outDim at byte offset y): the mean of the per-position terms. */
  value(y: number): number {
    if (this.disposed) throw new Error("metric: used after dispose");
    return this.engine.k.metricTerms(this.plan.ptr, y, this.bufs.terms.ptr) / this.count;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.plan, this.scratch, ...Object.values(this.bufs));
  }
}

/**
 * What EAP differentiates at the scored rows (task-metric.ts's TaskTarget, one row per scored
 * position): nll or logit-diff with the next-token labels, or mse to the true targets.
 */
export function seqTaskTarget(spec: TransformerSpec, data: SeqDiscoveryData, metric: MetricName, rows: Int32Array,
  outputs?: number[]): TaskTarget {
  if (metric === "kl") {
    throw new Error("EAP needs a task metric (logit-diff, nll or mse): KL to the full model has zero gradient at " +
      "the clean point, so every first-order score would be 0");
  }
  const V = spec.outDim;
  const R = rows.length;
  const setup = metricSetupFor(V, identity(V), R, scoredLabels(data, rows), metric, outputs);
  const base = { n: R, dOut: V, labelSlot: setup.labelSlot, inS: setup.inS, setup };
  if (metric !== "mse") return { metric, ...base, count: setup.count };
  const target = new Float32Array(R * V);
  if (data.targets) rows.forEach((g, i) => target.set(data.targets!.subarray(g * V, (g + 1) * V), i * V));
  else if (data.labels) rows.forEach((g, i) => (target[i * V + data.labels![g]] = 1));
  else throw new Error("metric mse needs targets or labels in the discovery data");
  return { metric, ...base, target, count: R * setup.nS };
}
