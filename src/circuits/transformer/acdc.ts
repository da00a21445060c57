// ACDC on a transformer's circuit graph (Conmy et al. 2023, "Towards Automated Circuit Discovery for
// Mechanistic Interpretability"), exact, in the spec's visiting order (graph.ts):
//
//   H ← all edges (or the candidates); cur ← M(H)
//   for receiver r: resid_post, then layers last to first (l.mlp.in, then heads ascending, q, k, v):
//     if r's component (its head, its MLP) has no kept outgoing edge: remove r's incoming edges untested
//     for each kept incoming edge e, senders from the latest back to embed:
//       Δ ← M(H \ {e}) − cur
//       if Δ < τ: H ← H \ {e}; cur ← cur + Δ     (negative changes count as removable)
//       else keep e with effect size Δ
//
// Node-level ACDC visits whole heads and MLPs instead, from the last layer's MLP back to head 0.0
// (reverse forward order): removing a node removes its kept outgoing edges at once, and its incoming
// edges go with it.
//
// The metric M of a tentative circuit comes from an Evaluator: the naive one (context.ts: one full
// patched pass per test) or the optimised one (fast.ts: from the receiver's layer on, recomputing only
// what the patch reaches). Both compute every value with the same row-by-row arithmetic, so they make
// the same decisions; nearTies counts the tests whose Δ lay within NEAR_TIE of τ, where a decision could
// flip under any other rounding (reported, never hidden).
import type { Transformer } from "../../model/transformer.ts";
import { TxContext, type TxRunOptions } from "./context.ts";
import type { SeqDiscoveryData } from "./data.ts";
import type { TxGraph } from "./graph.ts";

/** Relative band around τ within which a decision counts as a near-tie (|Δ − τ| ≤ NEAR_TIE·max(τ, |Δ|)). */
export const NEAR_TIE = 1e-6;

export interface TxAcdcOptions extends TxRunOptions {
  /** Per-edge tolerance τ > 0. */
  tau: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface TxKeptEdge {
  edge: number;
  name: string;
  /** Δ when its removal was tested (ACDC) or its score (EAP). */
  effect: number;
}

export interface TxAcdcResult {
  graph: TxGraph;
  /** 1 = kept, per edge. */
  mask: Uint8Array;
  /** Δ of every tested edge, NaN for edges removed untested (or never candidates). */
  deltas: Float64Array;
  kept: TxKeptEdge[];
  /** The metric of the final circuit on the discovery data. */
  metricValue: number;
  /** Tests made: edges (edge level) or nodes (node level). */
  evaluations: number;
  /** Tests whose Δ was within NEAR_TIE of τ. */
  nearTies: number;
  ms: number;
}

/** The metric of tentative circuits; the mask of `ctx.patching` says which edges are removed. */
export interface Evaluator {
  readonly ctx: TxContext;
  /** The metric of the circuit the mask says now (after set-up or the last accept). */
  initial(): number;
  /** The metric after the mask changed at the incoming edges of `receivers` (a pending result). */
  test(receivers: number[]): number;
  /** Makes the pending result the current circuit. */
  accept(): void;
  /** Drops the pending result (the caller restores the mask). */
  reject(): void;
  dispose(): void;
}

/** The naive evaluator: a full patched pass per test. */
export function naiveEvaluator(ctx: TxContext): Evaluator {
  return {
    ctx,
    initial: () => ctx.naiveMetric(),
    test: () => ctx.naiveMetric(),
    accept: () => {},
    reject: () => {},
    dispose: () => ctx.dispose(),
  };
}

export function checkTau(tau: unknown): number {
  if (typeof tau !== "number" || !(tau > 0) || !Number.isFinite(tau)) {
    throw new RangeError(`ACDC: τ must be a finite number > 0, got ${String(tau)}`);
  }
  return tau;
}

function nearTie(delta: number, tau: number): boolean {
  return Math.abs(delta - tau) <= NEAR_TIE * Math.max(tau, Math.abs(delta));
}

/** Edge-level ACDC with the given evaluator (which it disposes). */
export function acdcWith(ev: Evaluator, opts: TxAcdcOptions): TxAcdcResult {
  const tau = checkTau(opts.tau);
  const t0 = performance.now();
  const { graph, patching } = ev.ctx;
  const mask = patching.mask;
  const deltas = new Float64Array(graph.edges.length).fill(NaN);
  let evaluations = 0;
  let nearTies = 0;
  try {
    let cur = ev.initial();
    graph.visit.forEach((r, done) => {
      opts.signal?.throwIfAborted();
      const rec = graph.receivers[r];
      if (rec.owner >= 0 && !patching.hasOutgoing(rec.owner)) {
        for (const e of graph.testOrder[r]) mask[e] = 0;
      } else {
        for (const e of graph.testOrder[r]) {
          if (!mask[e]) continue;
          mask[e] = 0;
          const next = ev.test([r]);
          evaluations++;
          const delta = next - cur;
          deltas[e] = delta;
          if (nearTie(delta, tau)) nearTies++;
          if (delta < tau) {
            ev.accept();
            cur = next;
          } else {
            mask[e] = 1;
            ev.reject();
          }
        }
      }
      opts.onProgress?.(done + 1, graph.visit.length);
    });
    return result(graph, mask, deltas, cur, evaluations, nearTies, t0);
  } finally {
    ev.dispose();
  }
}

/** Node-level ACDC: whole heads and MLPs, from the last layer's MLP back to head 0.0. */
export function acdcNodesWith(ev: Evaluator, opts: TxAcdcOptions): TxAcdcResult {
  const tau = checkTau(opts.tau);
  const t0 = performance.now();
  const { graph, patching } = ev.ctx;
  const mask = patching.mask;
  const deltas = new Float64Array(graph.edges.length).fill(NaN);
  const nodes = graph.senders.filter((s) => s.kind !== "embed").reverse();
  let evaluations = 0;
  let nearTies = 0;
  try {
    let cur = ev.initial();
    const incoming = (s: number) => graph.receivers.filter((r) => r.owner === s).flatMap((r) => graph.testOrder[r.index]);
    nodes.forEach((node, done) => {
      opts.signal?.throwIfAborted();
      const out = graph.outgoing[node.index].filter((e) => mask[e]);
      if (out.length === 0) {
        for (const e of incoming(node.index)) mask[e] = 0;
      } else {
        for (const e of out) mask[e] = 0;
        const next = ev.test([...new Set(out.map((e) => graph.edges[e].receiver))]);
        evaluations++;
        const delta = next - cur;
        for (const e of out) deltas[e] = delta;
        if (nearTie(delta, tau)) nearTies++;
        if (delta < tau) {
          ev.accept();
          cur = next;
          for (const e of incoming(node.index)) mask[e] = 0;
        } else {
          for (const e of out) mask[e] = 1;
          ev.reject();
        }
      }
      opts.onProgress?.(done + 1, nodes.length);
    });
    return result(graph, mask, deltas, cur, evaluations, nearTies, t0);
  } finally {
    ev.dispose();
  }
}

function result(graph: TxGraph, mask: Uint8Array, deltas: Float64Array, metricValue: number, evaluations: number,
  nearTies: number, t0: number): TxAcdcResult {
  const kept: TxKeptEdge[] = [];
  mask.forEach((m, e) => {
    if (m) kept.push({ edge: e, name: graph.edges[e].name, effect: deltas[e] });
  });
  return { graph, mask: mask.slice(), deltas, kept, metricValue, evaluations, nearTies, ms: performance.now() - t0 };
}

/** Edge-level ACDC, one full patched forward pass per tested edge: the reference. */
export function acdcNaive(model: Transformer, data: SeqDiscoveryData, opts: TxAcdcOptions): TxAcdcResult {
  checkTau(opts.tau);
  return acdcWith(naiveEvaluator(new TxContext(model, data, opts)), opts);
}

/** Node-level ACDC, one full patched forward pass per tested node. */
export function acdcNodesNaive(model: Transformer, data: SeqDiscoveryData, opts: TxAcdcOptions): TxAcdcResult {
  checkTau(opts.tau);
  return acdcNodesWith(naiveEvaluator(new TxContext(model, data, opts)), opts);
}
