// Kernel family 'ablate': the edge-ablation forward passes of ACDC (docs/discovery.md), the discovery
// metrics, and the SIMD SiLU they use. Host signatures: src/engine/abi/circuits.ts; the host side
// (plan set-up, refreshes, order, decisions' bookkeeping) is src/circuits/acdc.ts and forward-cache.ts;
// the naive reference these must agree with is src/circuits/acdc-naive.ts.
//
// Everything a pass needs is described by one i32 "plan" in linear memory (layout below, mirrored in
// src/circuits/forward-cache.ts), so the kernels take a pointer instead of thirty numbers.
//
// Caches (n examples, row-major, unpadded): per weight layer m, a_m (n × d_m, the senders' current
// values: the network input for m = 0, SiLU outputs after), ã_m (n × d_m, ablated sender values, fixed),
// z_m (n × d_{m+1}, pre-activations; z_{L−1} is the output). Masked weights are kept twice: WM_m
// (out × in, zero where removed, for the host's GEMM refreshes) and WT_m (in × pad4(out), the
// transpose, so a sender's outgoing weights are one contiguous SIMD row).
//
// Metric terms: every metric is a mean over counted examples of a per-example term (f64), so a
// candidate changes the metric by Σ over the examples it touches of (new term − current term) / count.
import { sigmoid4 } from "./simd-math";

// ---- plan layout (i32 words) ----
const P_DEPTH = 0; // L: number of weight layers
const P_N = 1; // examples
const P_METRIC = 2; // 0 kl, 1 mse, 2 logit-diff, 3 nll
const P_COUNT = 3; // examples the metric averages over
const P_DOUT = 4; // outputs
const P_NS = 5; // outputs in the metric's subset S
const P_IN_S = 6; // i32 (pOut): 1 if output slot is in S, zero padding
const P_LABEL = 7; // i32 (n): label's output slot, −1 if the example is not counted (logit-diff, nll)
const P_YFULL = 8; // f32 (n × pOut): the full model's outputs, zero padding
const P_PFULL = 9; // f64 (n × pOut): the full model's softmax (kl), zero padding
const P_PREST = 10; // f64 (n): full-model probability outside S (kl)
const P_TERMS = 11; // f64 (n): current per-example terms
const P_SCRATCH = 12; // scratch, ablateScratchBytes(plan) bytes, 16-byte aligned
const P_LIST_START = 13; // i32 (d_l + 1): per-sender list offsets (deltaLists)
const P_LIST_IDX = 14; // i32: example of each list entry
const P_LIST_VAL = 15; // f64: ã − a of each list entry
const P_LAYERS = 16; // then LAYER_WORDS words per weight layer m:
const LAYER_WORDS = 10;
const L_IN = 0; // d_m
const L_OUT = 1; // d_{m+1}
const L_W = 2; // f32 (out × in): the model's weights
const L_B = 3; // f32 (out): biases
const L_MASK = 4; // u8 (out × in): 1 = edge kept
const L_WM = 5; // f32 (out × in): weights with removed edges zeroed
const L_WT = 6; // f32 (in × pad4(out)): transpose of WM, zero padding
const L_A = 7; // f32 (n × in): current sender values
const L_ATIL = 8; // f32 (n × in): ablated sender values
const L_Z = 9; // f32 (n × out): current pre-activations

const KL = 0;
const MSE = 1;
const LOGIT_DIFF = 2;
const NLL = 3;

const MAX_DEPTH = 64;

// ---- per-call state (set by usePlan / prepare; each exported kernel starts from scratch) ----
let gPlan: usize = 0;
let gN: i32 = 0;
let gDepth: i32 = 0;
let gMetric: i32 = 0;
let gCount: f64 = 1;
let gDOut: i32 = 0;
let gNS: i32 = 0;
let gInS: usize = 0;
let gLabel: usize = 0;
let gYFull: usize = 0;
let gPFull: usize = 0;
let gPRest: usize = 0;
let gTerms: usize = 0;

// Downstream of one changed neuron (layer gR, index gJ): for neuron layers m = gR+1 … L,
// padded width, base pre-activations (n × width), base SiLU outputs (hidden m), incoming rows
// (count and pointer; row stride = width of m).
let gR: i32 = 0;
const gWidth: usize = memory.data(MAX_DEPTH * 4, 16);
const gZb: usize = memory.data(MAX_DEPTH * 4, 16);
const gAb: usize = memory.data(MAX_DEPTH * 4, 16);
const gRows: usize = memory.data(MAX_DEPTH * 4, 16);
const gWin: usize = memory.data(MAX_DEPTH * 4, 16);
// kl relative to the base outputs (klBase): per example the base term, and the circuit's base softmax
// over all classes (qa) and over the classes outside S (qr), padded rows of f64
let gTb: usize = 0;
let gQa: usize = 0;
let gQr: usize = 0;
let gDelta: usize = 0; // klShift's δ row
let gZt: usize = 0; // temporaries, one padded row each
let gDv: usize = 0;
let gFree: usize = 0; // next free scratch byte after prepare()

// @ts-ignore: decorator
@inline function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function layer(m: i32, f: i32): i32 {
  return word(gPlan, P_LAYERS + m * LAYER_WORDS + f);
}
// @ts-ignore: decorator
@inline function pad4(n: i32): i32 {
  return (n + 3) & ~3;
}
// @ts-ignore: decorator
@inline function at(table: usize, m: i32): usize {
  return <usize>load<i32>(table + (<usize>m << 2));
}
// @ts-ignore: decorator
@inline function setAt(table: usize, m: i32, v: usize): void {
  store<i32>(table + (<usize>m << 2), <i32>v);
}

function usePlan(plan: usize): void {
  gPlan = plan;
  gDepth = word(plan, P_DEPTH);
  gN = word(plan, P_N);
  gMetric = word(plan, P_METRIC);
  gCount = <f64>word(plan, P_COUNT);
  gDOut = word(plan, P_DOUT);
  gNS = word(plan, P_NS);
  gInS = <usize>word(plan, P_IN_S);
  gLabel = <usize>word(plan, P_LABEL);
  gYFull = <usize>word(plan, P_YFULL);
  gPFull = <usize>word(plan, P_PFULL);
  gPRest = <usize>word(plan, P_PREST);
  gTerms = <usize>word(plan, P_TERMS);
}

// ---- SIMD SiLU ----
// x·σ(x) with the module's four-lane exp (assembly/simd-math.ts): the same bits as nn.ts siluForward,
// so cached activations read exactly like the host's GEMM refreshes and the naive run's passes.
// @ts-ignore: decorator
@inline function siluV(x: v128): v128 {
  return f32x4.mul(x, sigmoid4(x));
}

// Scalar SiLU with the same bits as one lane of siluV.
function siluS(x: f32): f32 {
  return f32x4.extract_lane(siluV(f32x4.splat(x)), 0);
}

// out (n) = a − b
export function subtract(out: usize, a: usize, b: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}

// ---- metrics ----
// Output rows the metric reads (y, yFull, pFull, inS) are padded to pOut = pad4(d_out) entries with
// zeros, so the terms run on f64x2 lanes without tails.

// e^x on two f64 lanes for |x| ≤ 708 (clamped there, where e^x is still a normal double): x = k·ln 2 + r
// with |r| ≤ ln2/2 (Cody–Waite, fdlibm's split of ln 2), e^r by its Taylor series to r^12 (truncation
// < 2e-16 relative), times 2^k built in the exponent bits. Within a few ulp of Math.exp, and
// deterministic (no FMA in baseline SIMD); scalar Math.exp per class dominated the passes.
// @ts-ignore: decorator
@inline function expV64(x0: v128): v128 {
  const x = f64x2.min(f64x2.max(x0, f64x2.splat(-708.0)), f64x2.splat(708.0));
  const kf = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
  let r = f64x2.sub(x, f64x2.mul(kf, f64x2.splat(6.93147180369123816490e-01)));
  r = f64x2.sub(r, f64x2.mul(kf, f64x2.splat(1.90821492927058770002e-10)));
  // Estrin's scheme: the same polynomial as Horner's, a quarter of the dependency depth (the passes
  // evaluate millions of these back to back, so latency, not arithmetic, bounds them)
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q0 = f64x2.add(f64x2.splat(1.0), r);
  const q1 = f64x2.add(f64x2.splat(1.0 / 2.0), f64x2.mul(f64x2.splat(1.0 / 6.0), r));
  const q2 = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(f64x2.splat(1.0 / 120.0), r));
  const q3 = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(f64x2.splat(1.0 / 5040.0), r));
  const q4 = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(f64x2.splat(1.0 / 362880.0), r));
  const q5 = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(f64x2.splat(1.0 / 39916800.0), r));
  const s0 = f64x2.add(q0, f64x2.mul(q1, r2));
  const s1 = f64x2.add(q2, f64x2.mul(q3, r2));
  const s2 = f64x2.add(q4, f64x2.mul(q5, r2));
  const t0 = f64x2.add(s0, f64x2.mul(s1, r4));
  const t1 = f64x2.add(s2, f64x2.mul(f64x2.splat(1.0 / 479001600.0), r4));
  const p = f64x2.add(t0, f64x2.mul(t1, r8));
  const k = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(kf));
  return f64x2.mul(p, i64x2.shl(i64x2.add(k, i64x2.splat(1023)), 52));
}

// Two f32 at p, widened to f64x2.
// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// All-ones lanes where the two i32 at p are nonzero.
// @ts-ignore: decorator
@inline function mask2(p: usize): v128 {
  return i64x2.ne(i64x2.extend_low_i32x4_s(v128.load64_zero(p)), i64x2.splat(0));
}

// @ts-ignore: decorator
@inline function hmax(v: v128): f64 {
  return max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// Term of example k for circuit outputs y (a padded row: pOut f32, slot order, zero padding).
//   kl:  KL(p ‖ q) between the full model's and the circuit's softmax, coarse-grained to the classes
//        of S plus one "rest" class (S = all outputs: the plain KL). With Δ_c = y_c − yFull_c,
//        q_c = p_c·e^Δc / Σ p·e^Δ, so
//        KL = −Σ_S p_c Δ_c − p_rest·log(Σ_rest p·e^Δ / p_rest) + log Σ p·e^Δ.
//        Written in Δ and f64 this stays accurate for tiny changes (KL ~ Δ², no cancellation of
//        two log-sum-exps), and is 0 up to 1e-16 when y equals the full outputs.
//   mse: mean over S of (y − yFull)².
//   logit-diff: −(y[label] − max over other outputs of y), counted examples only.
//   nll: log Σ exp(y) − y[label] (log-softmax over all outputs), counted examples only.
function termOf(k: i32, y: usize): f64 {
  const dOut = gDOut;
  const pOut = pad4(dOut);
  const yf = gYFull + ((<usize>k * <usize>pOut) << 2);
  if (gMetric == KL) {
    const p = gPFull + ((<usize>k * <usize>pOut) << 3);
    const d2 = (dOut + 1) & ~1;
    const zero = f64x2.splat(0);
    // Σ p·e^Δ needs no shift unless some Δ could overflow: one pass, and a shifted second one only then
    let linv = zero;
    let allv = zero;
    let restv = zero;
    let big = zero;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
      const pc = v128.load(p + (<usize>c << 3));
      const inS = mask2(gInS + (<usize>c << 2));
      linv = f64x2.add(linv, v128.and(f64x2.mul(pc, d), inS));
      const e = f64x2.mul(pc, expV64(d));
      allv = f64x2.add(allv, e);
      restv = f64x2.add(restv, v128.andnot(e, inS));
      big = v128.or(big, f64x2.gt(d, f64x2.splat(700)));
    }
    let mx: f64 = 0;
    if (v128.any_true(big)) {
      // the shift: max Δ over possible classes (impossible ones weigh nothing and must not set it)
      const negInf = f64x2.splat(-Infinity);
      let mxv = negInf;
      for (let c = 0; c < d2; c += 2) {
        const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
        mxv = f64x2.max(mxv, v128.bitselect(d, negInf, f64x2.gt(v128.load(p + (<usize>c << 3)), zero)));
      }
      mx = hmax(mxv);
      const mxs = f64x2.splat(mx);
      allv = zero;
      restv = zero;
      for (let c = 0; c < d2; c += 2) {
        const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
        // min(·, 0): an impossible class with a larger Δ than the shift must not overflow (0·∞)
        const e = f64x2.mul(v128.load(p + (<usize>c << 3)), expV64(f64x2.min(f64x2.sub(d, mxs), zero)));
        allv = f64x2.add(allv, e);
        restv = f64x2.add(restv, v128.andnot(e, mask2(gInS + (<usize>c << 2))));
      }
    }
    let kl = mx + Math.log(hsum(allv)) - hsum(linv);
    const pr = load<f64>(gPRest + (<usize>k << 3));
    if (pr > 0) kl -= pr * (mx + Math.log(hsum(restv) / pr));
    return kl;
  }
  if (gMetric == MSE) {
    let s: f64 = 0;
    for (let c = 0; c < dOut; c++) {
      if (!load<i32>(gInS + (<usize>c << 2))) continue;
      const d = <f64>load<f32>(y + (<usize>c << 2)) - <f64>load<f32>(yf + (<usize>c << 2));
      s += d * d;
    }
    return s / <f64>gNS;
  }
  const label = load<i32>(gLabel + (<usize>k << 2));
  if (label < 0) return 0;
  const yl = <f64>load<f32>(y + (<usize>label << 2));
  if (gMetric == LOGIT_DIFF) {
    let other = -Infinity;
    for (let c = 0; c < dOut; c++) if (c != label) other = max(other, <f64>load<f32>(y + (<usize>c << 2)));
    return other - yl;
  }
  return logSumExp(y, dOut) - yl;
}

// log Σ_c exp(y_c) over the dOut entries of a padded f32 row.
function logSumExp(y: usize, dOut: i32): f64 {
  let mx = -Infinity;
  for (let c = 0; c < dOut; c++) mx = max(mx, <f64>load<f32>(y + (<usize>c << 2)));
  const mxs = f64x2.splat(mx);
  let sv = f64x2.splat(0);
  const d2 = dOut & ~1;
  for (let c = 0; c < d2; c += 2) sv = f64x2.add(sv, expV64(f64x2.sub(load2(y + (<usize>c << 2)), mxs)));
  let s = hsum(sv);
  if (d2 < dOut) s += f64x2.extract_lane(expV64(f64x2.splat(<f64>load<f32>(y + (<usize>d2 << 2)) - mx)), 0);
  return mx + Math.log(s);
}

// Fills the kl reference (P_PFULL, P_PREST) from the full outputs P_YFULL; other metrics need none.
export function metricSetup(plan: usize): void {
  usePlan(plan);
  if (gMetric != KL) return;
  const dOut = gDOut;
  const pOut = pad4(dOut);
  for (let k = 0; k < gN; k++) {
    const yf = gYFull + ((<usize>k * <usize>pOut) << 2);
    const p = gPFull + ((<usize>k * <usize>pOut) << 3);
    const lse = logSumExp(yf, dOut);
    let rest: f64 = 0;
    for (let c = 0; c < pOut; c++) {
      const pc = c < dOut ? Math.exp(<f64>load<f32>(yf + (<usize>c << 2)) - lse) : 0;
      store<f64>(p + (<usize>c << 3), pc);
      if (!load<i32>(gInS + (<usize>c << 2))) rest += pc;
    }
    store<f64>(gPRest + (<usize>k << 3), rest);
  }
}

// terms (n, f64) = per-example terms of outputs y (n × d_out, unpadded). Returns their sum (divide by
// the plan's count for the metric). Uses pOut floats of the plan's scratch.
export function metricTerms(plan: usize, y: usize, terms: usize): f64 {
  usePlan(plan);
  const row = (<usize>word(plan, P_SCRATCH) + 15) & ~<usize>15;
  const dOut = gDOut;
  memory.fill(row, 0, <usize>pad4(dOut) << 2);
  let sum: f64 = 0;
  for (let k = 0; k < gN; k++) {
    memory.copy(row, y + ((<usize>k * <usize>dOut) << 2), <usize>dOut << 2);
    const t = termOf(k, row);
    store<f64>(terms + (<usize>k << 3), t);
    sum += t;
  }
  return sum;
}

// ---- sparse deltas ----
// Per sender i of weight layer l, the examples where its ablation changes anything: entries
// start[i] … start[i+1] of (idx = example k, val = ã − a in f64, exact for two f32 values).
// Examples with a zero delta are never visited again (most MNIST pixels, for zero and resample).
export function deltaLists(plan: usize, l: i32): i32 {
  usePlan(plan);
  const start = <usize>word(plan, P_LIST_START);
  const idx = <usize>word(plan, P_LIST_IDX);
  const val = <usize>word(plan, P_LIST_VAL);
  const dIn = layer(l, L_IN);
  const a = <usize>layer(l, L_A);
  const at = <usize>layer(l, L_ATIL);
  let e = 0;
  for (let i = 0; i < dIn; i++) {
    store<i32>(start + (<usize>i << 2), e);
    for (let k = 0; k < gN; k++) {
      const o = (<usize>k * <usize>dIn + <usize>i) << 2;
      const d = <f64>load<f32>(at + o) - <f64>load<f32>(a + o);
      if (d == 0) continue;
      store<i32>(idx + (<usize>e << 2), k);
      store<f64>(val + (<usize>e << 3), d);
      e++;
    }
  }
  store<i32>(start + (<usize>dIn << 2), e);
  return e;
}

// ---- downstream of one changed neuron ----
// Scratch bytes any prepare() + receiver pass needs for this plan.
export function ablateScratchBytes(plan: usize): i32 {
  usePlan(plan);
  let maxP = pad4(layer(0, L_IN));
  let rows = 0; // per-example padded floats over all neuron layers 1 … L, twice for hidden ones
  let mats = 0; // one compacted weight block
  for (let m = 0; m < gDepth; m++) {
    const p = pad4(layer(m, L_OUT));
    maxP = max(maxP, p);
    rows += m + 1 < gDepth ? 2 * p : p;
    if (m + 1 < gDepth) mats = max(mats, p * pad4(layer(m + 1, L_OUT)));
  }
  const kl = gMetric == KL ? (gN * 4 + 2) * pad4(gDOut) + gN * 2 : 0; // klBase's tables
  const words = gN * rows + mats + maxP * 4 + gN * (16 + pad4(gDOut)) + kl + 256; // + 16-byte rounding of each block
  return words * 4;
}

// @ts-ignore: decorator
@inline function take(bytes: i32): usize {
  const p = gFree;
  gFree += (<usize>bytes + 15) & ~<usize>15;
  return p;
}

// Copies z (n × d, unpadded) into a fresh padded block (n × pad4(d)), padding zero.
function padded(z: usize, d: i32): usize {
  const p = pad4(d);
  const out = take(gN * p * 4);
  for (let k = 0; k < gN; k++) {
    const row = out + ((<usize>k * <usize>p) << 2);
    memory.copy(row, z + ((<usize>k * <usize>d) << 2), <usize>d << 2);
    memory.fill(row + (<usize>d << 2), 0, <usize>(p - d) << 2);
  }
  return out;
}

function siluBlock(z: usize, count: i32): usize {
  const a = take(count * 4);
  for (let i = 0; i < count; i += 4) v128.store(a + (<usize>i << 2), siluV(v128.load(z + (<usize>i << 2))));
  return a;
}

// Sets up the passes for "neuron j of neuron layer r carries s more on its kept outgoing edges".
// The next layer is compacted to the neurons j still reaches (the rest cannot change); later layers
// stay dense. Base SiLU outputs are recomputed with the SIMD SiLU, so an unchanged pre-activation
// gives an exactly zero change downstream.
function prepare(r: i32, j: i32): void {
  gR = r;
  gFree = (<usize>word(gPlan, P_SCRATCH) + 15) & ~<usize>15;
  const L = gDepth;
  const pOut = pad4(gDOut);
  const yb = padded(<usize>layer(L - 1, L_Z), gDOut);
  let maxP = pOut;
  for (let m = 0; m <= L; m++) maxP = max(maxP, pad4(m < L ? layer(m, L_IN) : gDOut));
  gZt = take(maxP * 4);
  gDv = take(maxP * 4);
  setAt(gWidth, L, pOut);
  setAt(gZb, L, yb);
  if (gMetric == KL) klBase(yb);
  if (r == L) return;
  const dNext = layer(r, L_OUT);
  const wtRow = <usize>layer(r, L_WT) + ((<usize>j * <usize>pad4(dNext)) << 2);
  if (r + 1 == L) {
    setAt(gWin, L, wtRow);
    return;
  }
  // compact layer r+1 to the neurons with a nonzero kept weight from j
  const act = take(pad4(dNext) * 4);
  let nA = 0;
  for (let o = 0; o < dNext; o++) {
    if (load<f32>(wtRow + (<usize>o << 2)) != 0) {
      store<i32>(act + (<usize>nA << 2), o);
      nA++;
    }
  }
  const pA = pad4(nA);
  const zc = take(gN * pA * 4);
  const zr = <usize>layer(r, L_Z);
  for (let k = 0; k < gN; k++) {
    const row = zc + ((<usize>k * <usize>pA) << 2);
    const src = zr + ((<usize>k * <usize>dNext) << 2);
    for (let t = 0; t < nA; t++) {
      const o = <usize>load<i32>(act + (<usize>t << 2));
      store<f32>(row + (<usize>t << 2), load<f32>(src + (o << 2)));
    }
    for (let t = nA; t < pA; t++) store<f32>(row + (<usize>t << 2), 0);
  }
  const wc = take(pA * 4);
  for (let t = 0; t < pA; t++) {
    store<f32>(wc + (<usize>t << 2), t < nA ? load<f32>(wtRow + (<usize>load<i32>(act + (<usize>t << 2)) << 2)) : 0);
  }
  setAt(gWidth, r + 1, pA);
  setAt(gZb, r + 1, zc);
  setAt(gAb, r + 1, siluBlock(zc, gN * pA));
  setAt(gWin, r + 1, wc);
  // rows into layer r+2 from the compacted neurons only
  const p2 = pad4(layer(r + 1, L_OUT));
  const wt2 = <usize>layer(r + 1, L_WT);
  const wtc = take(max(pA, 1) * p2 * 4);
  for (let t = 0; t < nA; t++) {
    const o = <usize>load<i32>(act + (<usize>t << 2));
    memory.copy(wtc + ((<usize>t * <usize>p2) << 2), wt2 + ((o * <usize>p2) << 2), <usize>p2 << 2);
  }
  setAt(gRows, r + 2, nA);
  setAt(gWin, r + 2, wtc);
  for (let m = r + 2; m <= L; m++) {
    setAt(gWidth, m, m < L ? pad4(layer(m - 1, L_OUT)) : pOut);
    if (m > r + 2) {
      setAt(gRows, m, layer(m - 1, L_IN));
      setAt(gWin, m, <usize>layer(m - 1, L_WT));
    }
    if (m < L) {
      const zb = padded(<usize>layer(m - 1, L_Z), layer(m - 1, L_OUT));
      setAt(gZb, m, zb);
      setAt(gAb, m, siluBlock(zb, gN * pad4(layer(m - 1, L_OUT))));
    }
  }
}

// The kl term relative to base outputs yb (the caches at prepare time). With δ_c = y_c − yb_c, the
// circuit's base softmax qa (all classes) and qr (classes outside S, renormalised), and the base term tb,
// termOf's formula becomes
//   kl(y) = tb − Σ_S p_c δ_c + log(1 + Σ qa_c (e^δc − 1)) − p_rest · log(1 + Σ qr_c (e^δc − 1)),
// which needs no exp or log of its own while every |δ_c| ≤ 1/8: e^δ − 1 and log(1 + x) are short
// series there (below), exact to ~1e-17 relative, and the change of the term is not a difference of
// two large logs. Larger changes take termOf.
function klBase(yb: usize): void {
  const pOut = pad4(gDOut);
  const d2 = (gDOut + 1) & ~1;
  gTb = take(gN * 8);
  gQa = take(gN * pOut * 8);
  gQr = take(gN * pOut * 8);
  gDelta = take(pOut * 8);
  const zero = f64x2.splat(0);
  const negInf = f64x2.splat(-Infinity);
  for (let k = 0; k < gN; k++) {
    const y = yb + ((<usize>k * <usize>pOut) << 2);
    const yf = gYFull + ((<usize>k * <usize>pOut) << 2);
    const p = gPFull + ((<usize>k * <usize>pOut) << 3);
    const qa = gQa + ((<usize>k * <usize>pOut) << 3);
    const qr = gQr + ((<usize>k * <usize>pOut) << 3);
    store<f64>(gTb + (<usize>k << 3), termOf(k, y));
    // p·e^(Δ − max Δ) over possible classes, then normalised
    let mxv = negInf;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
      mxv = f64x2.max(mxv, v128.bitselect(d, negInf, f64x2.gt(v128.load(p + (<usize>c << 3)), zero)));
    }
    const mxs = f64x2.splat(hmax(mxv));
    let allv = zero;
    let restv = zero;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
      const e = f64x2.mul(v128.load(p + (<usize>c << 3)), expV64(f64x2.min(f64x2.sub(d, mxs), zero)));
      v128.store(qa + (<usize>c << 3), e);
      const er = v128.andnot(e, mask2(gInS + (<usize>c << 2)));
      v128.store(qr + (<usize>c << 3), er);
      allv = f64x2.add(allv, e);
      restv = f64x2.add(restv, er);
    }
    const all = f64x2.splat(1 / hsum(allv));
    const rest = hsum(restv);
    const restInv = f64x2.splat(rest > 0 ? 1 / rest : 0);
    for (let c = 0; c < d2; c += 2) {
      v128.store(qa + (<usize>c << 3), f64x2.mul(v128.load(qa + (<usize>c << 3)), all));
      v128.store(qr + (<usize>c << 3), f64x2.mul(v128.load(qr + (<usize>c << 3)), restInv));
    }
    for (let c = d2; c < pOut; c++) {
      store<f64>(qa + (<usize>c << 3), 0);
      store<f64>(qr + (<usize>c << 3), 0);
    }
  }
}

// e^r − 1 on two f64 lanes by its Taylor series to r^deg (deg a constant), Horner's scheme. KL_DEG[t] is
// exact to < 5e-17 relative for |r| ≤ KL_BOUND[t].
const KL_TIERS = 5;
const KL_BOUND: StaticArray<f64> = [0.000244140625, 0.001953125, 0.0078125, 0.03125, 0.125];
const KL_DEG: StaticArray<i32> = [4, 5, 6, 8, 11];
// @ts-ignore: decorator
@inline function expm1Taylor(r: v128, deg: i32): v128 {
  let h = f64x2.splat(0);
  if (deg >= 11) h = f64x2.add(f64x2.splat(1.0 / 39916800.0), f64x2.mul(h, r));
  if (deg >= 10) h = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(h, r));
  if (deg >= 9) h = f64x2.add(f64x2.splat(1.0 / 362880.0), f64x2.mul(h, r));
  if (deg >= 8) h = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(h, r));
  if (deg >= 7) h = f64x2.add(f64x2.splat(1.0 / 5040.0), f64x2.mul(h, r));
  if (deg >= 6) h = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(h, r));
  if (deg >= 5) h = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(h, r));
  h = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(h, r));
  h = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(h, r));
  h = f64x2.add(f64x2.splat(1.0 / 2.0), f64x2.mul(h, r));
  return f64x2.add(r, f64x2.mul(f64x2.mul(r, r), h));
}

// Σ_c qa_c (e^δc − 1) into gXa and, with a rest class, Σ_c qr_c (e^δc − 1) into gXr, for the padded
// δ row at gDelta (d2 entries), with the series of KL_DEG[tier].
let gXa: f64 = 0;
let gXr: f64 = 0;
// @ts-ignore: decorator
@inline function klSums(qa: usize, qr: usize, d2: i32, rest: bool, deg: i32): void {
  let xav = f64x2.splat(0);
  let xrv = xav;
  for (let c = 0; c < d2; c += 2) {
    const em = expm1Taylor(v128.load(gDelta + (<usize>c << 3)), deg);
    xav = f64x2.add(xav, f64x2.mul(v128.load(qa + (<usize>c << 3)), em));
    if (rest) xrv = f64x2.add(xrv, f64x2.mul(v128.load(qr + (<usize>c << 3)), em));
  }
  gXa = hsum(xav);
  gXr = hsum(xrv);
}
function klSumsAll(qa: usize, d2: i32, tier: i32): void {
  if (tier == 0) klSums(qa, 0, d2, false, 4);
  else if (tier == 1) klSums(qa, 0, d2, false, 5);
  else if (tier == 2) klSums(qa, 0, d2, false, 6);
  else if (tier == 3) klSums(qa, 0, d2, false, 8);
  else klSums(qa, 0, d2, false, 11);
}
function klSumsRest(qa: usize, qr: usize, d2: i32, tier: i32): void {
  if (tier == 0) klSums(qa, qr, d2, true, 4);
  else if (tier == 1) klSums(qa, qr, d2, true, 5);
  else if (tier == 2) klSums(qa, qr, d2, true, 6);
  else if (tier == 3) klSums(qa, qr, d2, true, 8);
  else klSums(qa, qr, d2, true, 11);
}

// log(1 + x) for e^(−1/8) − 1 ≤ x ≤ e^(1/8) − 1: 2·atanh(u), u = x / (2 + x), |u| < 0.063, to u^15.
// @ts-ignore: decorator
@inline function log1pSmall(x: f64): f64 {
  const u = x / (2 + x);
  const u2 = u * u;
  const u4 = u2 * u2;
  const u8 = u4 * u4;
  const s0 = 1.0 / 3.0 + u2 * (1.0 / 5.0);
  const s1 = 1.0 / 7.0 + u2 * (1.0 / 9.0);
  const s2 = 1.0 / 11.0 + u2 * (1.0 / 13.0);
  const s = (s0 + s1 * u4) + (s2 + u4 * (1.0 / 15.0)) * u8;
  return 2 * (u + u * u2 * s);
}

// Term of example k (kl, after klBase) for outputs y, a padded row.
function klShift(k: i32, y: usize): f64 {
  const pOut = pad4(gDOut);
  const d2 = (gDOut + 1) & ~1;
  const yb = at(gZb, gDepth) + ((<usize>k * <usize>pOut) << 2);
  const p = gPFull + ((<usize>k * <usize>pOut) << 3);
  const qa = gQa + ((<usize>k * <usize>pOut) << 3);
  const qr = gQr + ((<usize>k * <usize>pOut) << 3);
  const rest = gNS < gDOut;
  let mxv = f64x2.splat(0);
  let linv = mxv;
  for (let c = 0; c < d2; c += 2) {
    const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yb + (<usize>c << 2)));
    v128.store(gDelta + (<usize>c << 3), d);
    mxv = f64x2.pmax(mxv, f64x2.abs(d));
    let pd = f64x2.mul(v128.load(p + (<usize>c << 3)), d);
    if (rest) pd = v128.and(pd, mask2(gInS + (<usize>c << 2)));
    linv = f64x2.add(linv, pd);
  }
  const mx = max(f64x2.extract_lane(mxv, 0), f64x2.extract_lane(mxv, 1));
  let tier = 0;
  while (tier < KL_TIERS && mx > unchecked(KL_BOUND[tier])) tier++;
  if (tier == KL_TIERS) return termOf(k, y);
  if (rest) klSumsRest(qa, qr, d2, tier);
  else klSumsAll(qa, d2, tier);
  let kl = load<f64>(gTb + (<usize>k << 3)) - hsum(linv) + log1pSmall(gXa);
  const pr = load<f64>(gPRest + (<usize>k << 3));
  if (pr > 0) kl -= pr * log1pSmall(gXr);
  return kl;
}

// dst (p) = zb (p) + Σ_t gDv[t] · w[t, :] over `rows` rows of stride p, rows with a zero change
// skipped. Up to 16 columns (the output layer of a classifier) the sums stay in registers.
function accumulateRows(zb: usize, w: usize, rows: i32, p: i32, dst: usize): void {
  if (p > 16) {
    memory.copy(dst, zb, <usize>p << 2);
    for (let t = 0; t < rows; t++) {
      const d = load<f32>(gDv + (<usize>t << 2));
      if (d == 0) continue;
      const dv = f32x4.splat(d);
      const row = w + ((<usize>t * <usize>p) << 2);
      for (let c = 0; c < p; c += 4) {
        const o = <usize>c << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(dv, v128.load(row + o))));
      }
    }
    return;
  }
  const zero = f32x4.splat(0);
  let a0 = v128.load(zb);
  let a1 = p > 4 ? v128.load(zb, 16) : zero;
  let a2 = p > 8 ? v128.load(zb, 32) : zero;
  let a3 = p > 12 ? v128.load(zb, 48) : zero;
  for (let t = 0; t < rows; t++) {
    const d = load<f32>(gDv + (<usize>t << 2));
    if (d == 0) continue;
    const dv = f32x4.splat(d);
    const row = w + ((<usize>t * <usize>p) << 2);
    a0 = f32x4.add(a0, f32x4.mul(dv, v128.load(row)));
    if (p > 4) a1 = f32x4.add(a1, f32x4.mul(dv, v128.load(row, 16)));
    if (p > 8) a2 = f32x4.add(a2, f32x4.mul(dv, v128.load(row, 32)));
    if (p > 12) a3 = f32x4.add(a3, f32x4.mul(dv, v128.load(row, 48)));
  }
  v128.store(dst, a0);
  if (p > 4) v128.store(dst, a1, 16);
  if (p > 8) v128.store(dst, a2, 32);
  if (p > 12) v128.store(dst, a3, 48);
}

// y (a padded output row) = example k's outputs when the prepared neuron's outgoing edges carry s more
// than in the base caches: a rank-1 update of the next layer, SiLU, then the rest of the network (rows
// with a zero change skipped).
function shiftRow(k: i32, s: f32, y: usize): void {
  const L = gDepth;
  let m = gR + 1;
  let p = <i32>at(gWidth, m);
  const sv = f32x4.splat(s);
  let zb = at(gZb, m) + ((<usize>k * <usize>p) << 2);
  let w = at(gWin, m);
  const z = m < L ? gZt : y;
  for (let c = 0; c < p; c += 4) {
    const o = <usize>c << 2;
    v128.store(z + o, f32x4.add(v128.load(zb + o), f32x4.mul(sv, v128.load(w + o))));
  }
  while (m < L) {
    const ab = at(gAb, m) + ((<usize>k * <usize>p) << 2);
    for (let c = 0; c < p; c += 4) {
      const o = <usize>c << 2;
      v128.store(gDv + o, f32x4.sub(siluV(v128.load(gZt + o)), v128.load(ab + o)));
    }
    m++;
    p = <i32>at(gWidth, m);
    accumulateRows(at(gZb, m) + ((<usize>k * <usize>p) << 2), at(gWin, m), <i32>at(gRows, m), p, m < L ? gZt : y);
  }
}

// Metric term of example k for outputs y (a padded row), after prepare().
// @ts-ignore: decorator
@inline function shiftedTerm(k: i32, y: usize): f64 {
  return gMetric == KL ? klShift(k, y) : termOf(k, y);
}

// ---- ACDC, edge level: one receiver ----
// Visits receiver j of neuron layer l+1: tests its kept incoming edges i → j in increasing i, each
// against the current state, and removes those whose metric change Δ = new − cur is below tau.
// deltas (d_l, f64) gets Δ per tested edge and NaN for edges already absent. Updates the plan's
// mask, WM, WT and per-example terms in place; if anything was removed, also z_l[:, j] and, for a
// hidden receiver, a_{l+1}[:, j] — the host then refreshes the layers after it. Returns the number
// of removed edges.
//
// The receiver's pre-activation is held in f64 (z64 = b_j + Σ W·(a or ã), summed in full at the
// start and then moved by the exact W·(ã − a) of each accepted removal), so the tested value is the
// correctly rounded pruned pre-activation whatever the history. Downstream, every test starts from
// the caches as they were when the visit began (they only change at its end), with the receiver's
// total change since then: one rounding per layer, no drift across accepted removals.
export function acdcReceiver(plan: usize, l: i32, j: i32, tau: f64, deltas: usize): i32 {
  usePlan(plan);
  const n = gN;
  const r = l + 1;
  const hidden = r < gDepth;
  const dIn = layer(l, L_IN);
  const dOut = layer(l, L_OUT);
  const wRow = <usize>layer(l, L_W) + ((<usize>j * <usize>dIn) << 2);
  const wmRow = <usize>layer(l, L_WM) + ((<usize>j * <usize>dIn) << 2);
  const maskRow = <usize>layer(l, L_MASK) + <usize>j * <usize>dIn;
  const wt = <usize>layer(l, L_WT);
  const pOutL = pad4(dOut);
  const a = <usize>layer(l, L_A);
  const at_ = <usize>layer(l, L_ATIL);
  const start = <usize>word(plan, P_LIST_START);
  const idx = <usize>word(plan, P_LIST_IDX);
  const val = <usize>word(plan, P_LIST_VAL);

  prepare(r, j);
  const z64 = take(n * 8);
  const zNew = take(n * 8);
  const tNew = take(n * 8);
  const kNew = take(n * 4);
  const xCur = take(n * 4);
  const aBase = take(n * 4);
  const xCh = take(pad4(n) * 4); // per changed example: new f32 pre-activation,
  const sCh = take(pad4(n) * 4); // base activation, then the change of the activation,
  const cCh = take(n * 4); // its entry in zNew / tNew / kNew
  const pOut = pad4(gDOut);
  const rows = take(n * pOut * 4); // and its new outputs
  const yb = at(gZb, gDepth);
  const bj = <f64>load<f32>(<usize>layer(l, L_B) + (<usize>j << 2));
  for (let k = 0; k < n; k++) {
    let z = bj;
    const ar = a + ((<usize>k * <usize>dIn) << 2);
    const tr = at_ + ((<usize>k * <usize>dIn) << 2);
    for (let i = 0; i < dIn; i++) {
      const o = <usize>i << 2;
      const w = <f64>load<f32>(wRow + o);
      z += w * <f64>(load<u8>(maskRow + i) ? load<f32>(ar + o) : load<f32>(tr + o));
    }
    store<f64>(z64 + (<usize>k << 3), z);
    const x = <f32>z;
    store<f32>(xCur + (<usize>k << 2), x);
    store<f32>(aBase + (<usize>k << 2), hidden ? siluS(x) : x);
  }

  let removed = 0;
  for (let i = 0; i < dIn; i++) {
    if (!load<u8>(maskRow + i)) {
      store<f64>(deltas + (<usize>i << 3), NaN);
      continue;
    }
    const w = <f64>load<f32>(wRow + (<usize>i << 2));
    const e0 = w == 0 ? 0 : load<i32>(start + (<usize>i << 2));
    const e1 = w == 0 ? 0 : load<i32>(start + (<usize>(i + 1) << 2));
    // the examples' new pre-activations, and which of them change in f32
    let cnt = 0;
    let nc = 0;
    for (let e = e0; e < e1; e++) {
      const k = load<i32>(idx + (<usize>e << 2));
      const zk = load<f64>(z64 + (<usize>k << 3)) + w * load<f64>(val + (<usize>e << 3));
      const x = <f32>zk;
      store<f64>(zNew + (<usize>cnt << 3), zk);
      store<f64>(tNew + (<usize>cnt << 3), load<f64>(gTerms + (<usize>k << 3)));
      store<i32>(kNew + (<usize>cnt << 2), k);
      if (x != load<f32>(xCur + (<usize>k << 2))) {
        store<f32>(xCh + (<usize>nc << 2), x);
        store<f32>(sCh + (<usize>nc << 2), load<f32>(aBase + (<usize>k << 2)));
        store<i32>(cCh + (<usize>nc << 2), cnt);
        nc++;
      }
      cnt++;
    }
    // their output rows, then terms
    if (hidden) {
      for (let c = 0; c < nc; c += 4) {
        const o = <usize>c << 2;
        v128.store(sCh + o, f32x4.sub(siluV(v128.load(xCh + o)), v128.load(sCh + o)));
      }
    }
    for (let c = 0; c < nc; c++) {
      const k = load<i32>(kNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 2));
      const y = rows + ((<usize>c * <usize>pOut) << 2);
      if (hidden) {
        shiftRow(k, load<f32>(sCh + (<usize>c << 2)), y);
      } else {
        memory.copy(y, yb + ((<usize>k * <usize>pOut) << 2), <usize>pOut << 2);
        store<f32>(y + (<usize>j << 2), load<f32>(xCh + (<usize>c << 2)));
      }
    }
    let dsum: f64 = 0;
    for (let c = 0; c < nc; c++) {
      const ct = tNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 3);
      const k = load<i32>(kNew + (<usize>load<i32>(cCh + (<usize>c << 2)) << 2));
      const t = shiftedTerm(k, rows + ((<usize>c * <usize>pOut) << 2));
      dsum += t - load<f64>(ct);
      store<f64>(ct, t);
    }
    const delta = dsum / gCount;
    store<f64>(deltas + (<usize>i << 3), delta);
    if (delta < tau) {
      store<u8>(maskRow + i, 0);
      store<f32>(wmRow + (<usize>i << 2), 0);
      store<f32>(wt + ((<usize>i * <usize>pOutL + <usize>j) << 2), 0);
      for (let c = 0; c < cnt; c++) {
        const k = load<i32>(kNew + (<usize>c << 2));
        const zk = load<f64>(zNew + (<usize>c << 3));
        store<f64>(z64 + (<usize>k << 3), zk);
        store<f32>(xCur + (<usize>k << 2), <f32>zk);
        store<f64>(gTerms + (<usize>k << 3), load<f64>(tNew + (<usize>c << 3)));
      }
      removed++;
    }
  }

  if (removed) {
    const z = <usize>layer(l, L_Z);
    const aNext = hidden ? <usize>layer(r, L_A) : 0;
    for (let k = 0; k < n; k++) {
      const x = load<f32>(xCur + (<usize>k << 2));
      store<f32>(z + ((<usize>k * <usize>dOut + <usize>j) << 2), x);
      if (hidden) store<f32>(aNext + ((<usize>k * <usize>dOut + <usize>j) << 2), siluS(x));
    }
  }
  return removed;
}

// ---- ACDC, neuron level: one sender ----
// Σ over examples of (term − current term) / count if neuron u of neuron layer l had all its kept
// outgoing edges removed (its receivers read ã_u instead of a_u). Needs deltaLists(plan, l).
export function acdcNeuron(plan: usize, l: i32, u: i32): f64 {
  usePlan(plan);
  prepare(l, u);
  const start = <usize>word(plan, P_LIST_START);
  const idx = <usize>word(plan, P_LIST_IDX);
  const val = <usize>word(plan, P_LIST_VAL);
  const e1 = load<i32>(start + (<usize>(u + 1) << 2));
  let dsum: f64 = 0;
  for (let e = load<i32>(start + (<usize>u << 2)); e < e1; e++) {
    const k = load<i32>(idx + (<usize>e << 2));
    shiftRow(k, <f32>load<f64>(val + (<usize>e << 3)), gZt);
    dsum += shiftedTerm(k, gZt) - load<f64>(gTerms + (<usize>k << 3));
  }
  return dsum / gCount;
}

// Applies an accepted neuron removal to the caches, for the examples it changes: z_l rows +=
// (ã_u − a_u)·WT_l[u, :] (the same f32 update acdcNeuron evaluated) and, for a hidden next layer,
// their SiLU outputs as siluForward computes them. Call before WT_l's row u is zeroed; the host then
// refreshes the layers after l+1.
export function neuronCommit(plan: usize, l: i32, u: i32): void {
  usePlan(plan);
  const dOut = layer(l, L_OUT);
  const row = <usize>layer(l, L_WT) + ((<usize>u * <usize>pad4(dOut)) << 2);
  const z = <usize>layer(l, L_Z);
  const hidden = l + 1 < gDepth;
  const a = hidden ? <usize>layer(l + 1, L_A) : 0;
  const start = <usize>word(plan, P_LIST_START);
  const idx = <usize>word(plan, P_LIST_IDX);
  const val = <usize>word(plan, P_LIST_VAL);
  const e1 = load<i32>(start + (<usize>(u + 1) << 2));
  for (let e = load<i32>(start + (<usize>u << 2)); e < e1; e++) {
    const k = load<i32>(idx + (<usize>e << 2));
    const s = <f32>load<f64>(val + (<usize>e << 3));
    for (let o = 0; o < dOut; o++) {
      const w = load<f32>(row + (<usize>o << 2));
      if (w == 0) continue;
      const p = (<usize>k * <usize>dOut + <usize>o) << 2;
      const v = load<f32>(z + p) + s * w;
      store<f32>(z + p, v);
      if (hidden) store<f32>(a + p, siluS(v));
    }
  }
}
