// The discovery metrics in WASM (docs/discovery.md "Metric"; src/circuits/metrics.ts describes them):
// every metric is a mean over counted examples of a per-example term (f64), so a candidate changes the
// metric by Σ over the examples it touches of (new term − current term) / count. The host computes
// metric values through these kernels only; exp and log never run in JS.
//
// Output rows the metric reads (y, yFull, pFull, inS) are padded to pOut = pad4(d_out) entries with
// zeros, so the terms run on f64x2 lanes without tails.
import { METRIC_KL, METRIC_LOGIT_DIFF, METRIC_MSE, pad4, Plan, Scratch, usePlan } from "./ablate-plan";

// e^x on two f64 lanes for |x| ≤ 708 (clamped there, where e^x is still a normal double): x = k·ln 2 + r
// with |r| ≤ ln2/2 (Cody–Waite, fdlibm's split of ln 2), e^r by its Taylor series to r^12 (truncation
// < 2e-16 relative), times 2^k built in the exponent bits. Within a few ulp of Math.exp, and
// deterministic (no FMA in baseline SIMD); scalar Math.exp per class dominated the passes.
// @ts-ignore: decorator
@inline export function expV64(x0: v128): v128 {
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
@inline export function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// Entries c, c+1 of a row of T (f32 or f64) as f64x2.
// @ts-ignore: decorator
@inline function pairOf<T>(row: usize, c: i32): v128 {
  return sizeof<T>() == 8 ? v128.load(row + (<usize>c << 3)) : load2(row + (<usize>c << 2));
}

// Entry c of a row of T as f64.
// @ts-ignore: decorator
@inline function entryOf<T>(row: usize, c: i32): f64 {
  return <f64>load<T>(row + (<usize>c << alignof<T>()));
}

// All-ones lanes where the two i32 at p are nonzero.
// @ts-ignore: decorator
@inline export function mask2(p: usize): v128 {
  return i64x2.ne(i64x2.extend_low_i32x4_s(v128.load64_zero(p)), i64x2.splat(0));
}

// @ts-ignore: decorator
@inline export function hmax(v: v128): f64 {
  return max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}

// @ts-ignore: decorator
@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// Term of example k for circuit outputs y (a padded row of T = f32 or f64: pOut entries, slot order,
// zero padding); the full model's outputs are f32.
//   kl:  KL(p ‖ q) between the full model's and the circuit's softmax, coarse-grained to the classes
//        of S plus one "rest" class (S = all outputs: the plain KL). With Δ_c = y_c − yFull_c,
//        q_c = p_c·e^Δc / Σ p·e^Δ, so
//        KL = −Σ_S p_c Δ_c − p_rest·log(Σ_rest p·e^Δ / p_rest) + log Σ p·e^Δ.
//        Written in Δ and f64 this stays accurate for tiny changes (KL ~ Δ², no cancellation of
//        two log-sum-exps), and is 0 up to 1e-16 when y equals the full outputs.
//   mse: mean over S of (y − yFull)².
//   logit-diff: −(y[label] − max over other outputs of y), counted examples only.
//   nll: log Σ exp(y) − y[label] (log-softmax over all outputs), counted examples only.
export function termOf<T>(p: Plan, k: i32, y: usize): f64 {
  const dOut = p.dOut;
  const pOut = pad4(dOut);
  const inSv = p.inS;
  const yf = p.yFull + ((<usize>k * <usize>pOut) << 2);
  const metric = p.metric;
  if (metric == METRIC_KL) {
    const pk = p.pFull + ((<usize>k * <usize>pOut) << 3);
    const d2 = (dOut + 1) & ~1;
    const zero = f64x2.splat(0);
    // Σ p·e^Δ needs no shift unless some Δ could overflow: one pass, and a shifted second one only then
    let linv = zero;
    let allv = zero;
    let restv = zero;
    let big = zero;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(pairOf<T>(y, c), load2(yf + (<usize>c << 2)));
      const pc = v128.load(pk + (<usize>c << 3));
      const inS = mask2(inSv + (<usize>c << 2));
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
        const d = f64x2.sub(pairOf<T>(y, c), load2(yf + (<usize>c << 2)));
        mxv = f64x2.max(mxv, v128.bitselect(d, negInf, f64x2.gt(v128.load(pk + (<usize>c << 3)), zero)));
      }
      mx = hmax(mxv);
      const mxs = f64x2.splat(mx);
      allv = zero;
      restv = zero;
      for (let c = 0; c < d2; c += 2) {
        const d = f64x2.sub(pairOf<T>(y, c), load2(yf + (<usize>c << 2)));
        // min(·, 0): an impossible class with a larger Δ than the shift must not overflow (0·∞)
        const e = f64x2.mul(v128.load(pk + (<usize>c << 3)), expV64(f64x2.min(f64x2.sub(d, mxs), zero)));
        allv = f64x2.add(allv, e);
        restv = f64x2.add(restv, v128.andnot(e, mask2(inSv + (<usize>c << 2))));
      }
    }
    let kl = mx + Math.log(hsum(allv)) - hsum(linv);
    const pr = load<f64>(p.pRest + (<usize>k << 3));
    if (pr > 0) kl -= pr * (mx + Math.log(hsum(restv) / pr));
    return kl;
  }
  if (metric == METRIC_MSE) {
    let s: f64 = 0;
    for (let c = 0; c < dOut; c++) {
      if (!load<i32>(inSv + (<usize>c << 2))) continue;
      const d = entryOf<T>(y, c) - <f64>load<f32>(yf + (<usize>c << 2));
      s += d * d;
    }
    return s / <f64>p.nS;
  }
  const label = load<i32>(p.label + (<usize>k << 2));
  if (label < 0) return 0;
  const yl = entryOf<T>(y, label);
  if (metric == METRIC_LOGIT_DIFF) {
    let other = -Infinity;
    for (let c = 0; c < dOut; c++) if (c != label) other = max(other, entryOf<T>(y, c));
    return other - yl;
  }
  return logSumExp<T>(y, dOut) - yl;
}

// log Σ_c exp(y_c) over the dOut entries of a padded row of T.
function logSumExp<T>(y: usize, dOut: i32): f64 {
  let mx = -Infinity;
  for (let c = 0; c < dOut; c++) mx = max(mx, entryOf<T>(y, c));
  const mxs = f64x2.splat(mx);
  let sv = f64x2.splat(0);
  const d2 = dOut & ~1;
  for (let c = 0; c < d2; c += 2) sv = f64x2.add(sv, expV64(f64x2.sub(pairOf<T>(y, c), mxs)));
  let s = hsum(sv);
  if (d2 < dOut) s += f64x2.extract_lane(expV64(f64x2.splat(entryOf<T>(y, d2) - mx)), 0);
  return mx + Math.log(s);
}

// Fills the kl reference (pFull, pRest) from the full outputs yFull; other metrics need none.
export function metricSetup(plan: usize): void {
  const p = usePlan(plan);
  if (p.metric != METRIC_KL) return;
  const dOut = p.dOut;
  const pOut = pad4(dOut);
  const inS = p.inS;
  for (let k = 0; k < p.n; k++) {
    const yf = p.yFull + ((<usize>k * <usize>pOut) << 2);
    const pk = p.pFull + ((<usize>k * <usize>pOut) << 3);
    const lse = logSumExp<f32>(yf, dOut);
    let rest: f64 = 0;
    for (let c = 0; c < pOut; c++) {
      const pc = c < dOut ? Math.exp(<f64>load<f32>(yf + (<usize>c << 2)) - lse) : 0;
      store<f64>(pk + (<usize>c << 3), pc);
      if (!load<i32>(inS + (<usize>c << 2))) rest += pc;
    }
    store<f64>(p.pRest + (<usize>k << 3), rest);
  }
}

// terms (n, f64) = per-example terms of outputs y (n × d_out of T, unpadded), each row copied into a
// padded row of T at the plan's scratch. Returns their sum (divide by the plan's count for the metric).
function termsOf<T>(p: Plan, y: usize, terms: usize): f64 {
  const row = (p.scratch + 15) & ~<usize>15;
  const dOut = p.dOut;
  const bytes = <usize>dOut << alignof<T>();
  memory.fill(row, 0, <usize>pad4(dOut) << alignof<T>());
  let sum: f64 = 0;
  for (let k = 0; k < p.n; k++) {
    memory.copy(row, y + <usize>k * bytes, bytes);
    const t = termOf<T>(p, k, row);
    store<f64>(terms + (<usize>k << 3), t);
    sum += t;
  }
  return sum;
}

// terms (n, f64) = per-example terms of f32 outputs y (n × d_out); returns their sum. Uses one padded
// f32 row of the plan's scratch.
export function metricTerms(plan: usize, y: usize, terms: usize): f64 {
  return termsOf<f32>(usePlan(plan), y, terms);
}

// metricTerms for f64 outputs y (n × d_out), e.g. a reference network's; one padded f64 row of scratch.
export function metricTerms64(plan: usize, y: usize, terms: usize): f64 {
  return termsOf<f64>(usePlan(plan), y, terms);
}

// g (rows × d_out, f32) = ∂M/∂y for the outputs y (rows × d_out, f32, slot order) of examples
// start … start+rows, where M = Σ_k term_k / count over all n examples, for logit-diff and mse (to
// the plan's yFull, e.g. the true targets); other metrics leave g as it is (nll's gradient is the
// softmax cross-entropy kernel's, loss.ts). Each entry is computed in f64 and rounded once.
//   logit-diff: −1/count at the label, +1/count at the strongest other output (the first on ties),
//               0 elsewhere and on uncounted examples;
//   mse:        2(y − yFull)/(count·nS) on the outputs of S, 0 elsewhere.
export function metricGradient(plan: usize, y: usize, g: usize, start: i32, rows: i32): void {
  const p = usePlan(plan);
  const dOut = p.dOut;
  const pOut = pad4(dOut);
  const count = <f64>p.count;
  if (p.metric == METRIC_LOGIT_DIFF) {
    for (let r = 0; r < rows; r++) {
      const yr = y + ((<usize>r * <usize>dOut) << 2);
      const gr = g + ((<usize>r * <usize>dOut) << 2);
      memory.fill(gr, 0, <usize>dOut << 2);
      const label = load<i32>(p.label + (<usize>(start + r) << 2));
      if (label < 0) continue;
      let best = -1;
      for (let c = 0; c < dOut; c++) {
        if (c != label && (best < 0 || load<f32>(yr + (<usize>c << 2)) > load<f32>(yr + (<usize>best << 2)))) best = c;
      }
      store<f32>(gr + (<usize>label << 2), <f32>(-1.0 / count));
      store<f32>(gr + (<usize>best << 2), <f32>(1.0 / count));
    }
  } else if (p.metric == METRIC_MSE) {
    const denom = count * <f64>p.nS;
    for (let r = 0; r < rows; r++) {
      const yr = y + ((<usize>r * <usize>dOut) << 2);
      const tr = p.yFull + ((<usize>(start + r) * <usize>pOut) << 2);
      const gr = g + ((<usize>r * <usize>dOut) << 2);
      for (let c = 0; c < dOut; c++) {
        const o = <usize>c << 2;
        const d = <f64>load<f32>(yr + o) - <f64>load<f32>(tr + o);
        store<f32>(gr + o, load<i32>(p.inS + o) ? <f32>((2 * d) / denom) : 0);
      }
    }
  }
}

// ---- kl relative to base outputs ----
// The kl term relative to base outputs yb (the caches when a visit starts). With δ_c = y_c − yb_c, the
// circuit's base softmax qa (all classes) and qr (classes outside S, renormalised), and the base term tb,
// termOf's formula becomes
//   kl(y) = tb − Σ_S p_c δ_c + log(1 + Σ qa_c (e^δc − 1)) − p_rest · log(1 + Σ qr_c (e^δc − 1)),
// which needs no exp or log of its own while every |δ_c| ≤ 1/8: e^δ − 1 and log(1 + x) are short
// series there (below), exact to ~1e-17 relative, and the change of the term is not a difference of
// two large logs. Larger changes take termOf.
@unmanaged export class KlBase {
  yb: usize; // f32 (n × pOut): the base outputs
  tb: usize; // f64 (n): base terms
  qa: usize; // f64 (n × pOut): base softmax over all classes
  qr: usize; // f64 (n × pOut): base softmax over the classes outside S, renormalised (0 without a rest)
  delta: usize; // f64 (pOut): the δ row of the example being evaluated
  xa: f64; // klSums' results: Σ qa (e^δ − 1) and Σ qr (e^δ − 1)
  xr: f64;
}

/** Scratch bytes klBase takes. */
export function klBaseBytes(p: Plan): i32 {
  const pOut = pad4(p.dOut);
  return offsetof<KlBase>() + 16 + (p.n * 2 * pOut + p.n + pOut) * 8 + 64;
}

/** Tables of the base outputs yb (n × pOut f32, padded), taken from `s`. */
export function klBase(p: Plan, s: Scratch, yb: usize): KlBase {
  const n = p.n;
  const pOut = pad4(p.dOut);
  const d2 = (p.dOut + 1) & ~1;
  const kb = changetype<KlBase>(s.take(offsetof<KlBase>()));
  kb.yb = yb;
  kb.tb = s.take(n * 8);
  kb.qa = s.take(n * pOut * 8);
  kb.qr = s.take(n * pOut * 8);
  kb.delta = s.take(pOut * 8);
  const inS = p.inS;
  const zero = f64x2.splat(0);
  const negInf = f64x2.splat(-Infinity);
  for (let k = 0; k < n; k++) {
    const y = yb + ((<usize>k * <usize>pOut) << 2);
    const yf = p.yFull + ((<usize>k * <usize>pOut) << 2);
    const pk = p.pFull + ((<usize>k * <usize>pOut) << 3);
    const qa = kb.qa + ((<usize>k * <usize>pOut) << 3);
    const qr = kb.qr + ((<usize>k * <usize>pOut) << 3);
    store<f64>(kb.tb + (<usize>k << 3), termOf<f32>(p, k, y));
    // p·e^(Δ − max Δ) over possible classes, then normalised
    let mxv = negInf;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
      mxv = f64x2.max(mxv, v128.bitselect(d, negInf, f64x2.gt(v128.load(pk + (<usize>c << 3)), zero)));
    }
    const mxs = f64x2.splat(hmax(mxv));
    let allv = zero;
    let restv = zero;
    for (let c = 0; c < d2; c += 2) {
      const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yf + (<usize>c << 2)));
      const e = f64x2.mul(v128.load(pk + (<usize>c << 3)), expV64(f64x2.min(f64x2.sub(d, mxs), zero)));
      v128.store(qa + (<usize>c << 3), e);
      const er = v128.andnot(e, mask2(inS + (<usize>c << 2)));
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
  return kb;
}

// e^r − 1 on two f64 lanes by its Taylor series to r^deg (deg a constant), Horner's scheme. Tier t's
// degree (4, 5, 6, 8, 11: klSumsAll) is exact to < 5e-17 relative for |r| ≤ KL_BOUND[t].
const KL_TIERS = 5;
const KL_BOUND: StaticArray<f64> = [0.000244140625, 0.001953125, 0.0078125, 0.03125, 0.125];
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

// Σ_c qa_c (e^δc − 1) into kb.xa and, with a rest class, Σ_c qr_c (e^δc − 1) into kb.xr, for the padded
// δ row kb.delta (d2 entries), with the series of degree deg.
// @ts-ignore: decorator
@inline function klSums(kb: KlBase, qa: usize, qr: usize, d2: i32, rest: bool, deg: i32): void {
  let xav = f64x2.splat(0);
  let xrv = xav;
  const delta = kb.delta;
  for (let c = 0; c < d2; c += 2) {
    const em = expm1Taylor(v128.load(delta + (<usize>c << 3)), deg);
    xav = f64x2.add(xav, f64x2.mul(v128.load(qa + (<usize>c << 3)), em));
    if (rest) xrv = f64x2.add(xrv, f64x2.mul(v128.load(qr + (<usize>c << 3)), em));
  }
  kb.xa = hsum(xav);
  kb.xr = hsum(xrv);
}
function klSumsAll(kb: KlBase, qa: usize, d2: i32, tier: i32): void {
  if (tier == 0) klSums(kb, qa, 0, d2, false, 4);
  else if (tier == 1) klSums(kb, qa, 0, d2, false, 5);
  else if (tier == 2) klSums(kb, qa, 0, d2, false, 6);
  else if (tier == 3) klSums(kb, qa, 0, d2, false, 8);
  else klSums(kb, qa, 0, d2, false, 11);
}
function klSumsRest(kb: KlBase, qa: usize, qr: usize, d2: i32, tier: i32): void {
  if (tier == 0) klSums(kb, qa, qr, d2, true, 4);
  else if (tier == 1) klSums(kb, qa, qr, d2, true, 5);
  else if (tier == 2) klSums(kb, qa, qr, d2, true, 6);
  else if (tier == 3) klSums(kb, qa, qr, d2, true, 8);
  else klSums(kb, qa, qr, d2, true, 11);
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

/** Term of example k (kl) for outputs y, a padded row, relative to kb's base. */
export function klShift(p: Plan, kb: KlBase, k: i32, y: usize): f64 {
  const dOut = p.dOut;
  const pOut = pad4(dOut);
  const d2 = (dOut + 1) & ~1;
  const yb = kb.yb + ((<usize>k * <usize>pOut) << 2);
  const pk = p.pFull + ((<usize>k * <usize>pOut) << 3);
  const qa = kb.qa + ((<usize>k * <usize>pOut) << 3);
  const qr = kb.qr + ((<usize>k * <usize>pOut) << 3);
  const inS = p.inS;
  const delta = kb.delta;
  const rest = p.nS < dOut;
  let mxv = f64x2.splat(0);
  let linv = mxv;
  for (let c = 0; c < d2; c += 2) {
    const d = f64x2.sub(load2(y + (<usize>c << 2)), load2(yb + (<usize>c << 2)));
    v128.store(delta + (<usize>c << 3), d);
    mxv = f64x2.pmax(mxv, f64x2.abs(d));
    let pd = f64x2.mul(v128.load(pk + (<usize>c << 3)), d);
    if (rest) pd = v128.and(pd, mask2(inS + (<usize>c << 2)));
    linv = f64x2.add(linv, pd);
  }
  const mx = max(f64x2.extract_lane(mxv, 0), f64x2.extract_lane(mxv, 1));
  let tier = 0;
  while (tier < KL_TIERS && mx > unchecked(KL_BOUND[tier])) tier++;
  if (tier == KL_TIERS) return termOf<f32>(p, k, y);
  if (rest) klSumsRest(kb, qa, qr, d2, tier);
  else klSumsAll(kb, qa, d2, tier);
  let kl = load<f64>(kb.tb + (<usize>k << 3)) - hsum(linv) + log1pSmall(kb.xa);
  const pr = load<f64>(p.pRest + (<usize>k << 3));
  if (pr > 0) kl -= pr * log1pSmall(kb.xr);
  return kl;
}
