// What every transformer discovery run sets up once: the graph, the scored rows, the full model's clean
// pass (its logits are the metric's reference), the ablated contributions, and the edge mask; then the
// naive evaluation (one full patched pass per test) that the optimised one (fast.ts) must agree with.
import type { Buf } from "../../engine/engine.ts";
import type { Transformer } from "../../model/transformer.ts";
import { checkAblation } from "../ablation.ts";
import { checkMetricName } from "../metrics.ts";
import type { Ablation, MetricName } from "../types.ts";
import { checkSeqData, scoredRows, type SeqDiscoveryData } from "./data.ts";
import { buildGraph, type Granularity, type TxGraph } from "./graph.ts";
import { SeqMetric } from "./metric.ts";
import { ablatedValues, FullPass, Patching, uploadInputs } from "./network.ts";
import { TxOps } from "./ops.ts";

export interface TxRunOptions {
  ablation: Ablation;
  metric: MetricName;
  /** Outputs the metric is restricted to (icl-regression: [0], its y output). */
  outputs?: number[];
  /** Positions the metric scores (among the data's scored ones); default all of them. */
  positions?: number[];
  /** Edge granularity (graph.ts); default component. */
  granularity?: Granularity;
  /** The edges ACDC may test (1 = candidate); the others are removed up front (EAP→ACDC). */
  candidates?: Uint8Array;
}

export class TxContext {
  readonly ops: TxOps;
  readonly graph: TxGraph;
  readonly patching: Patching;
  readonly metric: SeqMetric;
  /** Scored global rows, ascending, and the same in WASM (i32). */
  readonly rows: Int32Array;
  readonly rowIdx: Buf<"i32">;
  /** The clean pass: the full model first; the naive evaluation then reruns it patched. */
  readonly pass: FullPass;
  readonly input: Buf<"i32"> | Buf;
  /** Logits at the scored rows (R × outDim). */
  readonly scoredLogits: Buf;
  private disposed = false;

  constructor(
    readonly model: Transformer,
    readonly data: SeqDiscoveryData,
    readonly opts: TxRunOptions,
  ) {
    checkAblation(opts.ablation);
    checkMetricName(opts.metric);
    checkSeqData(model.spec, data, opts.ablation);
    const e = model.engine;
    this.graph = buildGraph(model.spec, opts.granularity ?? "component");
    if (opts.candidates && opts.candidates.length !== this.graph.edges.length) {
      throw new RangeError(`candidates: expected one flag per edge (${this.graph.edges.length}), got ${opts.candidates.length}`);
    }
    this.ops = new TxOps(model);
    this.rows = scoredRows(data, opts.positions);
    const V = model.spec.outDim;
    const owned: Buf<"f32" | "i32">[] = [];
    let pass: FullPass | undefined;
    try {
      this.rowIdx = e.from(this.rows, "i32");
      owned.push(this.rowIdx);
      this.input = uploadInputs(e, data.clean);
      owned.push(this.input);
      this.scoredLogits = e.alloc(this.rows.length * V);
      owned.push(this.scoredLogits);
      this.pass = pass = new FullPass(this.ops, this.graph, data.n);
      this.pass.embed(this.input);
      this.pass.run(null);
      const yFull = this.gatherLogits();
      const { alt, bufs } = ablatedValues(this.ops, this.graph, data, opts.ablation, this.pass);
      this.patching = new Patching(model, this.graph, data.n, alt, bufs);
      if (opts.candidates) this.patching.mask.set(opts.candidates);
      this.metric = new SeqMetric(e, model.spec, data, opts.metric, this.rows, e.read(yFull), opts.outputs);
    } catch (err) {
      pass?.dispose();
      e.free(...owned);
      throw err;
    }
  }

  /** Copies the pass's logits at the scored rows into scoredLogits. */
  gatherLogits(): Buf {
    const V = this.model.spec.outDim;
    this.model.engine.k.gatherRows(this.scoredLogits.ptr, this.pass.logits.ptr, this.rowIdx.ptr, this.rows.length, V);
    return this.scoredLogits;
  }

  /** The naive evaluation: the metric of the circuit the mask says, from one full patched pass. */
  naiveMetric(): number {
    this.pass.run(this.patching);
    return this.metric.value(this.gatherLogits().ptr);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.metric.dispose();
    this.patching.dispose();
    this.pass.dispose();
    this.model.engine.free(this.rowIdx, this.input, this.scoredLogits);
  }
}
