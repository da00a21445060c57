// Edge Attribution Patching: Syed, Rager & Conmy, "Attribution Patching Outperforms Automated Circuit
// Discovery" (2023), and EAP-IG: Hanna, Pezzelle & Belinkov, "Have Faith in Faithfulness: Going Beyond
// Circuit Overlap When Finding Model Mechanisms" (2024).
//
// score(i→j) = Σ_examples W[j,i]·(ã_i − a_i)·∂M/∂z_j: the first-order change of the metric M when the
// edge i→j is ablated (its sender value replaced by ã), with a and ∂M/∂z from the full model. One clean
// pass, one corrupted pass (resample) and one backward pass score every edge: per layer the sum over
// examples is one GEMM, S_l = G_lᵀ·D_l with G_l = ∂M/∂z_l and D_l = Ã_l − A_l, then score = W ⊙ S.
// EAP-IG replaces ∂M/∂z by its mean over m points x_k = x̃ + (k/m)(x − x̃), k = 1..m, interpolated on the
// network input (slot order; for embedding models the looked-up embeddings, as Hanna et al. interpolate
// input embeddings), from the ablated input x̃ (zero, the mean input, or the paired corrupted input) to
// the clean one. m = 1 is plain EAP at the clean point.
// Deviations: the scores keep their sign (positive = ablating the edge raises M, which is minimised;
// Syed et al. report |score|), and ranking uses |score| as they do. M is a task metric (task-metric.ts):
// KL to the full model has zero gradient at the clean point.
import type { AnyBuf, Buf, Engine } from "../engine/engine.ts";
import type { Mlp } from "../model/mlp.ts";
import { Pass, uploadInputs, type InputBuf } from "../model/pass.ts";
import { checkData, inputWidth } from "./ablation.ts";
import { TaskMetric, taskTarget, type TaskTarget } from "./task-metric.ts";
import type { Ablation, DiscoveryData, EdgeMask, EdgeScores, MetricName } from "./types.ts";

export interface EapOptions {
  ablation: Ablation;
  /** logit-diff, nll or mse (to the true targets); kl is rejected. */
  metric: MetricName;
  /** Original output indices the metric is restricted to (task-metric.ts). */
  outputs?: number[];
  /** Examples per kernel call (default 1024); scores sum over all chunks. */
  chunk?: number;
}

export interface EapIgOptions extends EapOptions {
  /** Interpolation points m ≥ 1. */
  steps: number;
}

/** EAP scores of every edge, per weight layer (out × in like W_l). */
export function eap(model: Mlp, data: DiscoveryData, opts: EapOptions): EdgeScores {
  return attribute(model, data, opts, 1);
}

/** EAP-IG scores: the gradient averaged over `steps` points from the ablated to the clean input. */
export function eapIg(model: Mlp, data: DiscoveryData, opts: EapIgOptions): EdgeScores {
  if (!Number.isInteger(opts.steps) || opts.steps < 1) {
    throw new RangeError(`EAP-IG: steps must be ≥ 1, got ${opts.steps}`);
  }
  return attribute(model, data, opts, opts.steps);
}

function attribute(model: Mlp, data: DiscoveryData, opts: EapOptions, steps: number): EdgeScores {
  checkData(model, data, opts.ablation);
  const target = taskTarget(model, data, opts.metric, opts.outputs);
  const e = model.engine;
  const { k } = e;
  const { shape } = model.spec;
  const L = model.depth;
  const chunk = opts.chunk ?? 1024;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`EAP: chunk must be ≥ 1, got ${chunk}`);
  const C = Math.min(chunk, data.n);
  const width = inputWidth(model);
  const owned: AnyBuf[] = [];
  const own = (b: Buf) => (owned.push(b), b);
  const passes: Pass[] = [];
  const pass = () => (passes.push(new Pass(model, C)), passes[passes.length - 1]);
  const inputs: InputBuf[] = [];
  const metric = new TaskMetric(e, target);
  try {
    const clean = uploadInputs(e, data.clean, width);
    inputs.push(clean);
    const A = pass();
    let corrupted: InputBuf | undefined;
    let B: Pass | undefined;
    let shared: Buf[] = []; // zero / mean: one ablated row per layer input, shared by every example
    if (opts.ablation === "resample") {
      corrupted = uploadInputs(e, data.corrupted as Float32Array | Int32Array, width);
      inputs.push(corrupted);
      B = pass();
    } else {
      shared = shape.slice(0, L).map((n) => own(e.alloc(n)));
      if (opts.ablation === "mean") senderMeans(e, A, clean, shared);
    }
    const I = steps > 1 ? pass() : undefined;
    const D = shape.slice(0, L).map((n) => own(e.alloc(C * n)));
    const G = shape.slice(1).map((n) => own(e.alloc(C * n)));
    const S = shape.slice(1).map((n, l) => own(e.alloc(n * shape[l])));
    const da = own(e.alloc(C * Math.max(...shape.slice(1, L), 1)));
    const labels = e.alloc(C, "i32");
    owned.push(labels);
    for (let start = 0; start < data.n; start += C) {
      const cnt = Math.min(C, data.n - start);
      A.load(clean, null, start, cnt);
      A.forward(cnt);
      if (B && corrupted) {
        B.load(corrupted, null, start, cnt);
        B.forward(cnt);
      }
      for (let l = 0; l < L; l++) {
        const [abl, stride] = B ? [B.inputOf(l).ptr, shape[l]] : [shared[l].ptr, 0];
        k.ablationDelta(D[l].ptr, A.inputOf(l).ptr, abl, cnt, shape[l], stride);
      }
      for (let s = 1; s <= steps; s++) {
        // the last point (α = 1) is the clean run itself
        let P = A;
        if (s < steps && I) {
          k.addScaled(I.input.ptr, A.input.ptr, D[0].ptr, cnt * shape[0], 1 - s / steps);
          I.forward(cnt);
          P = I;
        }
        metric.gradient(P.z[L - 1], G[L - 1], labels, start, cnt);
        for (let l = L - 1; l >= 0; l--) {
          const nIn = shape[l];
          const nOut = shape[l + 1];
          // S_l (out × in) += G_lᵀ (out × cnt) · D_l (cnt × in)
          k.gemm(1, 0, nOut, nIn, cnt, G[l].ptr, nOut, D[l].ptr, nIn, S[l].ptr, nIn, 1);
          if (l === 0) continue;
          // ∂M/∂a_{l−1} = G_l · W_l, then through SiLU at the point's own pre-activations
          k.gemm(0, 0, cnt, nIn, nOut, G[l].ptr, nOut, model.weightPtr(l), nIn, da.ptr, nIn, 0);
          k.siluBackward(G[l - 1].ptr, da.ptr, P.z[l - 1].ptr, cnt * nIn);
        }
      }
    }
    return S.map((s, l) => {
      k.scaledProduct(s.ptr, s.ptr, model.weightPtr(l), s.len, 1 / steps);
      return e.read(s);
    });
  } finally {
    metric.dispose();
    for (const p of passes) p.dispose();
    e.free(...owned, ...inputs.map((x) => x.buf));
  }
}

/** mean[l] (in_l) = each sender's mean activation over all clean examples (the full model's). */
function senderMeans(e: Engine, A: Pass, clean: InputBuf, mean: Buf[]): void {
  for (let start = 0; start < clean.n; start += A.rows) {
    const cnt = Math.min(A.rows, clean.n - start);
    A.load(clean, null, start, cnt);
    A.forward(cnt);
    mean.forEach((m, l) => e.k.colSum(m.ptr, A.inputOf(l).ptr, cnt, m.len, start > 0));
  }
  for (const m of mean) {
    const v = e.f32(m);
    for (let i = 0; i < v.length; i++) v[i] /= clean.n;
  }
}

// ---------------------------------------------------------------------------------------------------
// The slow exact twin: f64, one patched forward per edge and direction. Patching edge i→j by a
// fraction ε shifts z_j by ε·W[j,i]·(ã_i − a_i) on every example; the central difference
// (M(+ε) − M(−ε)) / 2ε is dM/dε at 0 up to O(ε²), which is exactly what EAP computes to first order.

/** The full model in f64, for reference computations. */
interface RefNet {
  shape: number[];
  W: Float64Array[];
  b: Float64Array[];
}

function refNet(model: Mlp): RefNet {
  const p = model.readParams();
  const { shape } = model.spec;
  const W = [];
  const b = [];
  for (let l = 0; l < model.depth; l++) {
    const w = model.layout.weight[l];
    W.push(Float64Array.from(p.subarray(w, w + shape[l] * shape[l + 1])));
    b.push(Float64Array.from(p.subarray(model.layout.bias[l], model.layout.bias[l] + shape[l + 1])));
  }
  return { shape, W, b };
}

/** n × d_in network inputs in slot order (inPerm applied, or embeddings looked up), f64. */
function refInputs(model: Mlp, x: Float32Array | Int32Array, n: number): Float64Array {
  const { shape, inFold, embed } = model.spec;
  const d = shape[0];
  const out = new Float64Array(n * d);
  if (embed) {
    const p = model.readParams();
    for (let r = 0; r < n; r++) {
      for (let f = 0; f < inFold; f++) {
        const at = model.layout.embedding + x[r * inFold + f] * embed.dim;
        for (let c = 0; c < embed.dim; c++) out[r * d + f * embed.dim + c] = p[at + c];
      }
    }
    return out;
  }
  const slots = d / inFold;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) out[r * d + c] = x[r * d + c - (c % slots) + model.inPerm[c % slots]];
  }
  return out;
}

/** Activations a_l (inputs of each weight layer) and pre-activations z_l of a forward pass from a_0. */
function refForward(e: Engine, net: RefNet, a0: Float64Array, n: number): { a: Float64Array[]; z: Float64Array[] } {
  const a = [a0];
  const z: Float64Array[] = [];
  for (let l = 0; l < net.W.length; l++) {
    z.push(refLayer(net, l, a[l], n));
    if (l + 1 < net.W.length) a.push(refSilu(e, z[l]));
  }
  return { a, z };
}

/** The network output when weight layer l's pre-activations are zl (n × out_l). */
function refForwardFrom(e: Engine, net: RefNet, l: number, zl: Float64Array, n: number): Float64Array {
  let z = zl;
  for (let m = l + 1; m < net.W.length; m++) z = refLayer(net, m, refSilu(e, z), n);
  return z;
}

function refLayer(net: RefNet, l: number, a: Float64Array, n: number): Float64Array {
  const nIn = net.shape[l];
  const nOut = net.shape[l + 1];
  const z = new Float64Array(n * nOut);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < nOut; j++) {
      let s = net.b[l][j];
      for (let i = 0; i < nIn; i++) s += net.W[l][j * nIn + i] * a[r * nIn + i];
      z[r * nOut + j] = s;
    }
  }
  return z;
}

function refSilu(e: Engine, z: Float64Array): Float64Array {
  return z.map((v) => v / (1 + e.k.exp64(-v)));
}

/** Ablated sender values ã_l (n × in_l) from the full model, f64. */
function refAblated(e: Engine, model: Mlp, net: RefNet, data: DiscoveryData, ablation: Ablation,
  clean: Float64Array[]): Float64Array[] {
  const { n } = data;
  if (ablation === "resample") {
    return refForward(e, net, refInputs(model, data.corrupted as Float32Array | Int32Array, n), n).a;
  }
  return clean.map((a, l) => {
    const nIn = net.shape[l];
    const out = new Float64Array(n * nIn);
    if (ablation === "zero") return out;
    for (let i = 0; i < nIn; i++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += a[r * nIn + i];
      for (let r = 0; r < n; r++) out[r * nIn + i] = s / n;
    }
    return out;
  });
}

/**
 * The exact twin of `eap` (steps = 1) and `eapIg` (steps = m): per edge, two patched forward passes
 * in f64 and a central difference with step `eps` (a fraction of the full ablation). Slow: for tests.
 */
export function eapExact(model: Mlp, data: DiscoveryData, opts: EapOptions & { steps?: number }, eps = 1e-3):
  EdgeScores {
  checkData(model, data, opts.ablation);
  const t: TaskTarget = taskTarget(model, data, opts.metric, opts.outputs);
  const e = model.engine;
  const metric = new TaskMetric(e, t);
  try {
    const steps = opts.steps ?? 1;
    const { n } = data;
    const net = refNet(model);
    const { shape } = net;
    const clean = refForward(e, net, refInputs(model, data.clean, n), n);
    const abl = refAblated(e, model, net, data, opts.ablation, clean.a);
    const scores = shape.slice(1).map((nOut, l) => new Float32Array(nOut * shape[l]));
    const acc = scores.map((s) => new Float64Array(s.length));
    for (let s = 1; s <= steps; s++) {
      const beta = 1 - s / steps;
      const x = clean.a[0].map((v, i) => v + beta * (abl[0][i] - v));
      const point = refForward(e, net, x, n);
      for (let l = 0; l < net.W.length; l++) {
        const nIn = shape[l];
        const nOut = shape[l + 1];
        for (let j = 0; j < nOut; j++) {
          for (let i = 0; i < nIn; i++) {
            const w = net.W[l][j * nIn + i];
            const value = (sign: number) => {
              const zl = point.z[l].slice();
              for (let r = 0; r < n; r++) {
                zl[r * nOut + j] += sign * eps * w * (abl[l][r * nIn + i] - clean.a[l][r * nIn + i]);
              }
              return metric.value(refForwardFrom(e, net, l, zl, n));
            };
            acc[l][j * nIn + i] += (value(1) - value(-1)) / (2 * eps) / steps;
          }
        }
      }
    }
    acc.forEach((a, l) => scores[l].set(a));
    return scores;
  } finally {
    metric.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------
// Selection: EAP ranks edges by |score| (Syed et al.); ties fall in (layer, to, from) order.

/** Every edge as [layer, flat index] ordered by decreasing |score|. */
function ranked(scores: EdgeScores): [number, number][] {
  const all: [number, number][] = [];
  scores.forEach((s, l) => {
    for (let i = 0; i < s.length; i++) {
      if (Number.isNaN(s[i])) throw new Error(`EAP scores: NaN at layer ${l}, index ${i}`);
      all.push([l, i]);
    }
  });
  return all.sort((p, q) => Math.abs(scores[q[0]][q[1]]) - Math.abs(scores[p[0]][p[1]]) || p[0] - q[0] || p[1] - q[1]);
}

function maskOf(scores: EdgeScores, edges: [number, number][]): EdgeMask {
  const mask = scores.map((s) => new Uint8Array(s.length));
  for (const [l, i] of edges) mask[l][i] = 1;
  return mask;
}

/** The k edges with the largest |score|. */
export function selectTopK(scores: EdgeScores, k: number): EdgeMask {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`top-k: k must be an integer ≥ 0, got ${k}`);
  return maskOf(scores, ranked(scores).slice(0, k));
}

/** The edges with |score| ≥ τ (the first-order metric change of ablating them is at least τ). */
export function selectThreshold(scores: EdgeScores, tau: number): EdgeMask {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new RangeError(`threshold: τ must be a finite number > 0, got ${tau}`);
  return scores.map((s) => Uint8Array.from(s, (v) => (Math.abs(v) >= tau ? 1 : 0)));
}

/**
 * EAP→ACDC: the edges ACDC should test, the top `fraction` of all edges by |score| (rounded up).
 * Edges outside it are not candidates (the ACDC run removes them untested).
 */
export function eapCandidates(scores: EdgeScores, fraction: number): EdgeMask {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`EAP→ACDC: fraction must be in [0, 1], got ${fraction}`);
  const total = scores.reduce((n, s) => n + s.length, 0);
  return selectTopK(scores, Math.ceil(fraction * total));
}
