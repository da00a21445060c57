// Kernel family 'cost': the BIMT connection cost and its gradient (docs/training.md "Connection cost
// and loss"). Host signatures: src/engine/abi/ops.ts; plain-TS reference: src/engine/reference/cost.ts.
// The caller folds the per-entry coefficient A·dist + l0 into `d` (and the mean form's 1/numel and
// λ into `gradScale` and its own scaling of the returned sum).

// torch.sign per lane: +1, −1, or 0 for ±0 (and NaN). Comparison masks are −1 where true, so
// lt − gt gives the sign as an integer.
// @ts-ignore: decorator
@inline function sign4(w: v128): v128 {
  const zero = f32x4.splat(0);
  return f32x4.convert_i32x4_s(i32x4.sub(f32x4.lt(w, zero), f32x4.gt(w, zero)));
}

// @ts-ignore: decorator
@inline function sign1(w: f32): f32 {
  return w > 0 ? <f32>1.0 : w < 0 ? <f32>-1.0 : <f32>0.0;
}

// The four f32 lanes of `x` promoted and added pairwise into two f64 lanes (lanes 0+2, 1+3).
// @ts-ignore: decorator
@inline function widen(x: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(f32x4.shuffle(x, x, 2, 3, 0, 1)));
}

// w, d, g (n). Returns Σ|w|·d (products in f32, sum in f64); if g ≠ 0 and gradScale ≠ 0 adds
// g += gradScale · sign(w) · d.
export function l1Cost(w: usize, d: usize, g: usize, n: i32, gradScale: f32): f64 {
  const grad = g != 0 && gradScale != 0;
  const gs = f32x4.splat(gradScale);
  const n4 = n & ~3;
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const wi = v128.load(w + off);
    const di = v128.load(d + off);
    acc = f64x2.add(acc, widen(f32x4.mul(f32x4.abs(wi), di)));
    if (grad) v128.store(g + off, f32x4.add(v128.load(g + off), f32x4.mul(sign4(wi), f32x4.mul(gs, di))));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const wi = load<f32>(w + off);
    const di = load<f32>(d + off);
    sum += <f64>(Mathf.abs(wi) * di);
    if (grad) store<f32>(g + off, load<f32>(g + off) + sign1(wi) * (gradScale * di));
  }
  return sum;
}

// w, g (n). l1Cost with the same coefficient c for every entry (biases, the embedding: l0·Σ|b|).
// Returns c·Σ|w| (sum in f64); if g ≠ 0 and gradScale ≠ 0 adds g += gradScale · c · sign(w).
export function l1CostConst(w: usize, c: f32, g: usize, n: i32, gradScale: f32): f64 {
  const grad = g != 0 && gradScale != 0;
  const k = gradScale * c;
  const k4 = f32x4.splat(k);
  const n4 = n & ~3;
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const wi = v128.load(w + off);
    acc = f64x2.add(acc, widen(f32x4.abs(wi)));
    if (grad) v128.store(g + off, f32x4.add(v128.load(g + off), f32x4.mul(sign4(wi), k4)));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const wi = load<f32>(w + off);
    sum += <f64>Mathf.abs(wi);
    if (grad) store<f32>(g + off, load<f32>(g + off) + sign1(wi) * k);
  }
  return <f64>c * sum;
}
