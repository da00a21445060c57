// Kernel family 'swap': neuron importance and swap scoring for BIMT's "relocate" step
// (docs/training.md "Swaps"). Host signatures: src/engine/abi/ops.ts; plain-TS reference:
// src/engine/reference/swap.ts.
//
// Shapes, for one neuron layer of n positions:
//   wIn, dIn (n, fanIn)        incoming weights and distances; row r is this layer's position r.
//                              fanIn = 0 for the input layer (the pointers are then unused).
//   wOut, dOut (fanOut, fold·n) outgoing weights and distances; column f·n + s is position s of
//                              fold f. fanOut = 0 for the output layer. fold > 1 only for a folded
//                              input layer (concatenated token embeddings).
// Products are f32, every sum is f64 and rounded to f32 once when stored.

// The four f32 lanes of `x` promoted and added pairwise into two f64 lanes (lanes 0+2, 1+3).
// @ts-ignore: decorator
@inline function widen(x: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(f32x4.shuffle(x, x, 2, 3, 0, 1)));
}

// Adds the promoted low and high halves of `x` to the per-lane accumulators lo (lanes 0,1) and
// hi (lanes 2,3): four independent f64 sums, one per column.
// @ts-ignore: decorator
@inline function accLo(lo: v128, x: v128): v128 {
  return f64x2.add(lo, f64x2.promote_low_f32x4(x));
}
// @ts-ignore: decorator
@inline function accHi(hi: v128, x: v128): v128 {
  return f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(x, x, 2, 3, 0, 1)));
}

// Σ |a[m]| over m < len, in f64.
// @ts-ignore: decorator
@inline function absSum(a: usize, len: i32): f64 {
  const l4 = len & ~3;
  let acc = f64x2.splat(0);
  let m = 0;
  for (; m < l4; m += 4) acc = f64x2.add(acc, widen(f32x4.abs(v128.load(a + (<usize>m << 2)))));
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; m < len; m++) s += <f64>Mathf.abs(load<f32>(a + (<usize>m << 2)));
  return s;
}

// Σ_m (|wj[m]| − |wk[m]|)·(dk[m] − dj[m]) over m < len, in f64: the incoming-side cost change when
// rows j and k trade places, |wj|(dk − dj) + |wk|(dj − dk) factored so that k = j gives exactly 0.
// @ts-ignore: decorator
@inline function rowSwapDelta(wj: usize, wk: usize, dj: usize, dk: usize, len: i32): f64 {
  const l4 = len & ~3;
  let acc = f64x2.splat(0);
  let m = 0;
  for (; m < l4; m += 4) {
    const off = <usize>m << 2;
    const dw = f32x4.sub(f32x4.abs(v128.load(wj + off)), f32x4.abs(v128.load(wk + off)));
    acc = f64x2.add(acc, widen(f32x4.mul(dw, f32x4.sub(v128.load(dk + off), v128.load(dj + off)))));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; m < len; m++) {
    const off = <usize>m << 2;
    const dw = Mathf.abs(load<f32>(wj + off)) - Mathf.abs(load<f32>(wk + off));
    s += <f64>(dw * (load<f32>(dk + off) - load<f32>(dj + off)));
  }
  return s;
}

// out (n) f32: out[j] = Σ_m |wIn[j,m]| + Σ_o Σ_f |wOut[o, f·n + j]|, the importance that picks
// the top_k neurons to relocate (biases not counted). The outgoing part runs over four columns at a
// time so each load is contiguous.
export function importance(wIn: usize, fanIn: i32, wOut: usize, fanOut: i32, n: i32, fold: i32, out: usize): void {
  const rows = fanOut * fold; // wOut viewed as (fanOut·fold, n), as in swapScores
  const stride = <usize>n << 2;
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    let lo = f64x2.splat(0); // columns j, j+1
    let hi = f64x2.splat(0); // columns j+2, j+3
    let w = wOut + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      const x = f32x4.abs(v128.load(w));
      lo = accLo(lo, x);
      hi = accHi(hi, x);
      w += stride;
    }
    storeImportance(out, wIn, fanIn, j, f64x2.extract_lane(lo, 0));
    storeImportance(out, wIn, fanIn, j + 1, f64x2.extract_lane(lo, 1));
    storeImportance(out, wIn, fanIn, j + 2, f64x2.extract_lane(hi, 0));
    storeImportance(out, wIn, fanIn, j + 3, f64x2.extract_lane(hi, 1));
  }
  for (; j < n; j++) {
    let s: f64 = 0;
    let w = wOut + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      s += <f64>Mathf.abs(load<f32>(w));
      w += stride;
    }
    storeImportance(out, wIn, fanIn, j, s);
  }
}

// out[j] = Σ_m |wIn[j,m]| + outgoing, rounded to f32 once.
// @ts-ignore: decorator
@inline function storeImportance(out: usize, wIn: usize, fanIn: i32, j: i32, outgoing: f64): void {
  const incoming = fanIn > 0 ? absSum(wIn + ((<usize>j * <usize>fanIn) << 2), fanIn) : 0;
  store<f32>(out + (<usize>j << 2), <f32>(incoming + outgoing));
}

// out (n) f32: out[k] = Δ(k), the change of the connection cost if the neurons at positions j and k
// traded places (out[j] = 0):
//   Δ(k) = sIn  · Σ_m (|wIn[j,m]| − |wIn[k,m]|)·(dIn[k,m] − dIn[j,m])
//        + sOut · Σ_o Σ_f (|wOut[o,f·n+j]| − |wOut[o,f·n+k]|)·(dOut[o,f·n+k] − dOut[o,f·n+j]).
// sIn, sOut scale each side: A when d holds plain distances, or 1 (1/numel in the mean form) when d
// already holds A·dist + l0; the constant l0 cancels either way. The caller picks argmin_k out[k],
// first k on ties. Output is f32 (the sums are f64): enough to rank candidates computed from f32
// weights, and the tests check the choices against a full f64 recomputation.
// The outgoing side runs over four candidates k at a time (contiguous columns), the incoming side
// over m along rows; both cost O(n·(fanIn + fold·fanOut)) per call.
export function swapScores(wIn: usize, dIn: usize, fanIn: i32, wOut: usize, dOut: usize, fanOut: i32,
  n: i32, fold: i32, sIn: f32, sOut: f32, j: i32, out: usize): void {
  // Row o·fold + f of the (fanOut·fold, n) view of wOut is fold f of output o: one flat loop.
  const rows = fanOut * fold;
  const stride = <usize>n << 2;
  const jOff = <usize>j << 2;
  const n4 = n & ~3;
  let k = 0;
  for (; k < n4; k += 4) {
    const kOff = <usize>k << 2;
    let lo = f64x2.splat(0); // candidates k, k+1
    let hi = f64x2.splat(0); // candidates k+2, k+3
    let w = wOut;
    let d = dOut;
    for (let r = 0; r < rows; r++) {
      const aj = f32x4.splat(Mathf.abs(load<f32>(w + jOff)));
      const dj = f32x4.splat(load<f32>(d + jOff));
      const dw = f32x4.sub(aj, f32x4.abs(v128.load(w + kOff)));
      const x = f32x4.mul(dw, f32x4.sub(v128.load(d + kOff), dj));
      lo = accLo(lo, x);
      hi = accHi(hi, x);
      w += stride;
      d += stride;
    }
    storeScore(out, wIn, dIn, fanIn, j, k, sIn, sOut, f64x2.extract_lane(lo, 0));
    storeScore(out, wIn, dIn, fanIn, j, k + 1, sIn, sOut, f64x2.extract_lane(lo, 1));
    storeScore(out, wIn, dIn, fanIn, j, k + 2, sIn, sOut, f64x2.extract_lane(hi, 0));
    storeScore(out, wIn, dIn, fanIn, j, k + 3, sIn, sOut, f64x2.extract_lane(hi, 1));
  }
  for (; k < n; k++) {
    const kOff = <usize>k << 2;
    let s: f64 = 0;
    let w = wOut;
    let d = dOut;
    for (let r = 0; r < rows; r++) {
      const dw = Mathf.abs(load<f32>(w + jOff)) - Mathf.abs(load<f32>(w + kOff));
      s += <f64>(dw * (load<f32>(d + kOff) - load<f32>(d + jOff)));
      w += stride;
      d += stride;
    }
    storeScore(out, wIn, dIn, fanIn, j, k, sIn, sOut, s);
  }
}

// out[k] = sIn · (incoming delta) + sOut · outgoing, rounded to f32 once.
// @ts-ignore: decorator
@inline function storeScore(out: usize, wIn: usize, dIn: usize, fanIn: i32, j: i32, k: i32,
  sIn: f32, sOut: f32, outgoing: f64): void {
  let incoming: f64 = 0;
  if (fanIn > 0) {
    const rj = (<usize>j * <usize>fanIn) << 2;
    const rk = (<usize>k * <usize>fanIn) << 2;
    incoming = rowSwapDelta(wIn + rj, wIn + rk, dIn + rj, dIn + rk, fanIn);
  }
  store<f32>(out + (<usize>k << 2), <f32>(<f64>sIn * incoming + <f64>sOut * outgoing));
}
