// The state every ACDC variant works on: a network whose removed edges read ablated sender values,
// with all its activations for n examples cached in WASM memory, and the current metric.
//
// Forward pass of the pruned network, per weight layer l (edge patching, docs/discovery.md):
//   z_l = b_l + Σ_i W_l[·,i] · (kept ? a_l[i] : ã_l[i]) = base_l + (a_l − ã_l) · WMᵀ_l,
// where base_l = ã_l · W_lᵀ + b_l is fixed for the run (ã comes from the full model) and WM_l is W_l
// with removed edges zeroed. So one pass costs one GEMM per layer, like an unpruned forward.
import type { AnyBuf, Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import type { Pass } from "../model/pass.ts";
import { metricBuffers, pad4, type PlanBuffers, type PlanLayer, setPlanScratch, writePlan } from "./ablate-plan.ts";
import { ablatedSenders, checkData, fullRun } from "./ablation.ts";
import { metricSetup, type MetricSetup } from "./metrics.ts";
import { checkMask } from "./sparse.ts";
import type { Ablation, DiscoveryData, EdgeMask, MetricName } from "./types.ts";

export interface NetworkOptions {
  ablation: Ablation;
  metric: MetricName;
  /** Original output indices the metric is restricted to. */
  outputs?: number[];
  /** Edges the run may keep; all others are removed before it starts (EAP→ACDC). Default: all. */
  candidates?: EdgeMask;
}

export class AblatedNetwork {
  readonly engine: Engine;
  readonly n: number;
  readonly depth: number;
  readonly shape: number[];
  readonly metric: MetricSetup;
  /** The plan for the ablate kernels (ablate-plan.ts). */
  readonly plan: Buf<"i32">;
  private readonly clean: Pass;
  private readonly aTilde: Buf[];
  private readonly base: Buf[];
  private readonly diff: Buf[];
  private readonly wm: Buf[];
  private readonly wt: Buf[];
  private readonly maskBufs: Buf<"u8">[];
  private readonly bufs: PlanBuffers;
  private readonly scratch: Buf<"u8">;
  private readonly lists: { start: Buf<"i32">; idx: Buf<"i32">; val: Buf<"f64"> };
  /** Every buffer this object allocated (the clean Pass frees its own). */
  private readonly owned: AnyBuf[] = [];

  constructor(
    readonly model: Mlp,
    data: DiscoveryData,
    opts: NetworkOptions,
  ) {
    checkData(model, data, opts.ablation);
    const setup = metricSetup(model, data, opts.metric, opts.outputs);
    if (opts.candidates) checkMask(model.spec, opts.candidates);
    const e = (this.engine = model.engine);
    const { k } = e;
    const shape = (this.shape = model.spec.shape);
    const L = (this.depth = model.depth);
    const n = (this.n = data.n);
    const dOut = shape[L];
    this.metric = setup;
    const owned = this.owned;
    const own = <B extends AnyBuf>(b: B): B => (owned.push(b), b);
    const clean = (this.clean = fullRun(model, data.clean, n));
    let corrupted: Pass | undefined;
    try {
      if (opts.ablation === "resample") corrupted = fullRun(model, data.corrupted as Float32Array | Int32Array, n);
      this.aTilde = ablatedSenders(model, opts.ablation, this.clean, corrupted);
      owned.push(...this.aTilde);
      this.bufs = metricBuffers(e, setup, e.f32(clean.z[L - 1]), n, dOut);
      owned.push(...Object.values(this.bufs));
      this.base = [];
      this.diff = [];
      this.wm = [];
      this.wt = [];
      this.maskBufs = [];
      const layers: PlanLayer[] = [];
      const params = model.readParams();
      for (let l = 0; l < L; l++) {
        const dIn = shape[l];
        const dO = shape[l + 1];
        const pO = pad4(dO);
        const base = own(e.alloc(n * dO));
        // base_l (n × out) = ã_l · W_lᵀ + b_l
        k.gemm(0, 1, n, dO, dIn, this.aTilde[l].ptr, dIn, model.weightPtr(l), dIn, base.ptr, dO, 0);
        k.addBias(base.ptr, model.biasPtr(l), n, dO);
        this.base.push(base);
        this.diff.push(own(e.alloc(n * dIn)));
        const keep = opts.candidates?.[l];
        const w = params.subarray(model.layout.weight[l], model.layout.weight[l] + dO * dIn);
        const wm = w.map((v, i) => (!keep || keep[i] ? v : 0));
        const wt = new Float32Array(dIn * pO);
        for (let j = 0; j < dO; j++) for (let i = 0; i < dIn; i++) wt[i * pO + j] = wm[j * dIn + i];
        this.wm.push(own(e.from(wm)));
        this.wt.push(own(e.from(wt)));
        const mask = own(e.alloc(dO * dIn, "u8"));
        e.u8(mask).set(keep ?? new Uint8Array(dO * dIn).fill(1));
        this.maskBufs.push(mask);
        layers.push({
          dIn,
          dOut: dO,
          w: model.weightPtr(l),
          b: model.biasPtr(l),
          mask: mask.ptr,
          wm: this.wm[l].ptr,
          wt: this.wt[l].ptr,
          a: this.clean.inputOf(l).ptr,
          aTilde: this.aTilde[l].ptr,
          z: this.clean.z[l].ptr,
        });
      }
      const maxIn = Math.max(...shape.slice(0, L));
      this.lists = {
        start: own(e.alloc(maxIn + 1, "i32")),
        idx: own(e.alloc(n * maxIn, "i32")),
        val: own(e.alloc(n * maxIn, "f64")),
      };
      this.plan = own(writePlan(e, { depth: L, n, dOut, setup, bufs: this.bufs, layers, lists: this.lists }));
      this.scratch = own(e.alloc(k.ablateScratchBytes(this.plan.ptr), "u8"));
      setPlanScratch(e, this.plan, this.scratch);
      k.metricSetup(this.plan.ptr);
      this.forwardFrom(0);
      this.refreshMetric();
    } catch (err) {
      clean.dispose();
      e.free(...owned);
      throw err;
    } finally {
      corrupted?.dispose();
    }
  }


  /** Recomputes weight layers l … L−1 of the pruned network from the sender values of layer l. */
  forwardFrom(l0: number): void {
    const { k } = this.engine;
    const { n, shape } = this;
    for (let l = l0; l < this.depth; l++) {
      const dIn = shape[l];
      const dOut = shape[l + 1];
      const z = this.clean.z[l];
      k.subtract(this.diff[l].ptr, this.clean.inputOf(l).ptr, this.aTilde[l].ptr, n * dIn);
      this.engine.f32(z).set(this.engine.f32(this.base[l]));
      // z (n × out) += (a − ã) (n × in) · WMᵀ
      k.gemm(0, 1, n, dOut, dIn, this.diff[l].ptr, dIn, this.wm[l].ptr, dIn, z.ptr, dOut, 1);
      if (l + 1 < this.depth) k.siluForward(z.ptr, this.clean.act[l].ptr, n * dOut);
    }
  }

  /** Recomputes every example's metric term from the current outputs; returns the metric. */
  refreshMetric(): number {
    const sum = this.engine.k.metricTerms(this.plan.ptr, this.clean.z[this.depth - 1].ptr, this.bufs.terms.ptr);
    return sum / this.metric.count;
  }

  /** The current pre-activations of weight layer l (n × d_{l+1}): a copy. */
  preActivations(l: number): Float32Array {
    return this.engine.read(this.clean.z[l]);
  }

  /** The current per-example metric terms (n): a copy. */
  terms(): Float64Array {
    return this.engine.read(this.bufs.terms);
  }

  /** The current outputs (n × d_out, network slot order): a copy. */
  outputs(): Float32Array {
    return this.engine.read(this.clean.z[this.depth - 1]);
  }

  kept(l: number, e: number): boolean {
    return this.engine.u8(this.maskBufs[l])[e] === 1;
  }

  /** Fresh views of weight layer l's mask, masked weights, their transpose and the model's weights. */
  private views(l: number): { mask: Uint8Array; wm: Float32Array; wt: Float32Array; w: Float32Array } {
    const e = this.engine;
    const at = this.model.layout.weight[l];
    return {
      mask: this.engine.u8(this.maskBufs[l]),
      wm: e.f32(this.wm[l]),
      wt: e.f32(this.wt[l]),
      w: e.f32(this.model.params).subarray(at, at + this.wm[l].len),
    };
  }

  /** Keeps or removes edges W_l[to, from] for each [to, from], in the mask and both masked weight copies. */
  setEdges(l: number, edges: Iterable<[number, number]>, keep: boolean): void {
    const v = this.views(l);
    const dIn = this.shape[l];
    const pO = pad4(this.shape[l + 1]);
    for (const [to, from] of edges) {
      const w = keep ? v.w[to * dIn + from] : 0;
      v.mask[to * dIn + from] = keep ? 1 : 0;
      v.wm[to * dIn + from] = w;
      v.wt[from * pO + to] = w;
    }
  }

  setEdge(l: number, to: number, from: number, keep: boolean): void {
    this.setEdges(l, [[to, from]], keep);
  }

  /** Whether neuron `index` of neuron layer `layer` (< depth) still has a kept outgoing edge. */
  hasOutgoing(layer: number, index: number): boolean {
    return this.outgoing(layer, index).length > 0;
  }

  /** Receivers of neuron `index` of neuron layer `layer` (< depth) through kept edges. */
  outgoing(layer: number, index: number): number[] {
    const nIn = this.shape[layer];
    const m = this.engine.u8(this.maskBufs[layer]);
    const out: number[] = [];
    for (let to = 0; to < this.shape[layer + 1]; to++) if (m[to * nIn + index]) out.push(to);
    return out;
  }

  /** Removes every kept edge into neuron `to` of neuron layer l+1. */
  dropIncoming(l: number, to: number): void {
    const dIn = this.shape[l];
    const m = this.engine.u8(this.maskBufs[l]);
    const edges: [number, number][] = [];
    for (let i = 0; i < dIn; i++) if (m[to * dIn + i]) edges.push([to, i]);
    this.setEdges(l, edges, false);
  }

  /** Examples where sender i's ablation changes its value (after deltaLists for its layer). */
  changedExamples(i: number): number {
    const start = this.engine.i32(this.lists.start);
    return start[i + 1] - start[i];
  }

  /** A copy of the current mask. */
  mask(): EdgeMask {
    return this.maskBufs.map((b) => this.engine.read(b));
  }

  dispose(): void {
    this.clean.dispose();
    this.engine.free(...this.owned);
    this.owned.length = 0;
  }
}
