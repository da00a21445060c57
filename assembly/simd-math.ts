// exp on four f32 lanes, for the activation kernels, where the scalar Mathf.exp dominated a small
// network's training step. Cephes expf's method: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in two
// parts so k·ln2 is exact), a degree-6 polynomial for e^r, and 2^k built in the exponent bits.
// Within 2 ulp of exp on the clamped range; only IEEE-exact lane operations, so every runtime
// gives the same bits.

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // Computed on a clamped copy so 2^k stays a normal f32; lanes outside the range become their
  // limits (0 below −87.3, +inf above 88.3), which keeps σ(±large) exactly 0 and 1.
  const lo = f32x4.splat(-87.3);
  const hi = f32x4.splat(88.3);
  const under = f32x4.lt(x, lo);
  const over = f32x4.gt(x, hi);
  x = f32x4.min(f32x4.max(x, lo), hi);
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  const e = f32x4.mul(p, pow2);
  return v128.bitselect(f32x4.splat(Infinity), v128.andnot(e, under), over);
}

// σ(x) = 1 / (1 + e^−x) on four lanes.
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// The same on one lane, so tails round exactly like full vectors.
// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}
