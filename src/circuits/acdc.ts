// ACDC — Automated Circuit DisCovery: Conmy, Mavor-Parker, Lynch, Heimersheim & Garriga-Alonso,
// "Towards Automated Circuit Discovery for Mechanistic Interpretability" (NeurIPS 2023), exact, on the
// neuron-level edge graph of an MLP (graph.ts; metrics in metrics.ts, ablations in ablation.ts).
//
//   H ← all edges (or the candidates); cur ← M(H)
//   for receiver v in reverse topological order (graph.ts: outputs first, slots ascending):
//     if v is hidden and has no kept outgoing edge: remove its incoming edges untested
//     for each kept incoming edge e = u→v, senders ascending:
//       Δ ← M(H \ {e}) − cur
//       if Δ < τ: H ← H \ {e}; cur ← cur + Δ   (negative changes count as removable)
//       else keep e with effect size Δ
//
// acdc-naive.ts runs this literally (one forward pass of the pruned network over all examples per
// tested edge). This file makes the same decisions at kernel speed (assembly/ablate-edges.ts acdcReceiver,
// one call per receiver, every incoming edge tested inside it):
//   - Upstream of v nothing changes while v is visited, so the senders' values a_l are cached, and
//     so is ã − a per sender, as a list of the examples where it is nonzero (deltaLists): a test
//     only visits those examples (most MNIST pixels are zero in both the clean and the corrupted
//     image), and every other example keeps its cached metric term.
//   - Removing u→v moves only z_v, by W[v,u]·(ã_u − a_u). v's pre-activation is held per example in
//     f64, exact up to one rounding however many removals came before; a_v is recomputed from it.
//   - The change of a_v reaches the next layer as a rank-1 update (a column of W_{l+1}, compacted to
//     the receivers v still reaches), then SiLU, then the rest of the network, per example, from
//     caches frozen at the start of v's visit: no error builds up over accepted removals.
//   - The metric is a mean of per-example terms, so Δ = Σ over visited examples of the change in
//     their term, / count; an accepted removal writes the new terms and v's pre-activation in place.
//     A test runs in passes over its examples (new pre-activations, then SiLU four at a time, then
//     output rows, then terms), so each loop is short and examples overlap in the CPU.
//   - kl's term is evaluated relative to the outputs at the start of v's visit: with δ = y − y_base
//     and the base softmax q, it is term_base − Σ p·δ + log(1 + Σ q·(e^δ − 1)), where e^δ − 1 and
//     log(1 + x) are short Taylor series (degree chosen by max |δ|, exact to ~1e-17 relative; |δ| >
//     1/8 falls back to the full formula). No exp or log per class, and no cancellation of two logs.
//   - After v's visit, if anything was removed, the layers after v are refreshed with one GEMM each
//     (forward-cache.ts), and the metric is recomputed from them.
// For a first-hidden-layer receiver of a 784-100-100-10 network a test costs, per visited example,
// ~100 multiply-adds and SiLUs into the next layer and ~1,000 into the outputs, against ~89,000 for a
// full forward pass; receivers near the output cost less still.
//
// Agreement with the naive run: both compute the same quantities in f32 with different roundings
// (incremental updates here, GEMMs there), so metric values agree to a tolerance and a decision can
// differ only where Δ is within that tolerance of τ (test/circuits/acdc.test.ts states and checks it).
import type { Mlp } from "../model/mlp.ts";
import { checkAblation } from "./ablation.ts";
import { AblatedNetwork, type NetworkOptions } from "./forward-cache.ts";
import { edgeScores, keptEdges, receiverOrder } from "./graph.ts";
import { checkMetricName } from "./metrics.ts";
import type { DiscoveryData, EdgeMask, EdgeScores, KeptEdge } from "./types.ts";

export interface AcdcOptions extends NetworkOptions {
  /** Per-edge tolerance τ > 0: an edge goes when removing it raises the metric by less than τ. */
  tau: number;
  /** Called after each receiver (edge level) or sender (neuron level): done of total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface AcdcResult {
  mask: EdgeMask;
  /** Effect size Δ of every kept edge (0 for removed edges). */
  effects: EdgeScores;
  kept: KeptEdge[];
  /** Δ measured when each edge was tested, kept or removed; NaN for edges removed untested. */
  deltas: EdgeScores;
  /** The metric of the final circuit. */
  metricValue: number;
  /** Tests made: edges (edge level) or neurons (neuron level). */
  evaluations: number;
  ms: number;
}

export function checkAcdcOptions(opts: AcdcOptions): void {
  const tau = opts?.tau;
  if (typeof tau !== "number" || !(tau > 0) || !Number.isFinite(tau)) {
    throw new RangeError(`ACDC: τ must be a finite number > 0, got ${String(tau)}`);
  }
  checkAblation(opts.ablation);
  checkMetricName(opts.metric);
}

/** Exact ACDC at kernel speed; the same decisions as acdcNaive up to near-ties. */
export function acdc(model: Mlp, data: DiscoveryData, opts: AcdcOptions): AcdcResult {
  const run = new AcdcRun(model, data, opts);
  const { net, deltas } = run;
  const e = model.engine;
  const { shape } = model.spec;
  const L = model.depth;
  const out = e.alloc(Math.max(...shape.slice(0, L)), "f64");
  try {
    let listed = -1; // weight layer whose sender deltas are listed
    run.visit(receiverOrder(model.spec), ({ l, j }) => {
      const r = l + 1;
      if (r < L && !net.hasOutgoing(r, j)) {
        net.dropIncoming(l, j);
        return 0;
      }
      if (listed !== l) {
        e.k.deltaLists(net.plan.ptr, l);
        listed = l;
      }
      const removed = e.k.acdcReceiver(net.plan.ptr, l, j, opts.tau, out.ptr);
      const dIn = shape[l];
      const d = e.f64(out);
      let tests = 0;
      for (let i = 0; i < dIn; i++) {
        if (Number.isNaN(d[i])) continue;
        deltas[l][j * dIn + i] = d[i];
        tests++;
      }
      if (removed > 0) {
        if (r < L) net.forwardFrom(r);
        net.refreshMetric();
      }
      return tests;
    });
    return run.result();
  } finally {
    e.free(out);
    run.dispose();
  }
}

/**
 * The frame every ACDC variant shares (this file, acdc-nodes.ts, acdc-naive.ts): the option checks,
 * the ablated network, the table of tested Δ, the visit loop with abort and progress, and the packed
 * result. The caller disposes of it.
 */
export class AcdcRun {
  readonly net: AblatedNetwork;
  readonly deltas: EdgeScores;
  private evaluations = 0;
  private readonly t0 = performance.now();

  constructor(private readonly model: Mlp, data: DiscoveryData, private readonly opts: AcdcOptions) {
    checkAcdcOptions(opts);
    this.net = new AblatedNetwork(model, data, opts);
    this.deltas = edgeScores(model.spec, NaN);
  }

  /** Visits `order`; `test` handles one item and returns how many tests it made. */
  visit<T>(order: readonly T[], test: (item: T) => number): void {
    for (let t = 0; t < order.length; t++) {
      this.opts.signal?.throwIfAborted();
      this.evaluations += test(order[t]);
      this.opts.onProgress?.(t + 1, order.length);
    }
  }

  result(): AcdcResult {
    return acdcResult(this.model, this.net, this.deltas, this.evaluations, this.t0);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Packs a finished run: kept edges carry the Δ they were tested with. */
export function acdcResult(model: Mlp, net: AblatedNetwork, deltas: EdgeScores, evaluations: number,
  t0: number): AcdcResult {
  const mask = net.mask();
  const effects = mask.map((m, l) => Float32Array.from(m, (v, i) => (v ? deltas[l][i] : 0)));
  return {
    mask,
    effects,
    kept: keptEdges(model.spec, mask, effects),
    deltas,
    metricValue: net.refreshMetric(),
    evaluations,
    ms: performance.now() - t0,
  };
}
