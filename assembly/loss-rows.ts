// Inline building blocks of the loss kernels (loss.ts, seq-loss.ts). Not re-exported by index.ts:
// nothing here is a module export.
import { exp4 } from "./simd-math";

// Adds the squares of (a − b) over four f32 lanes to two f64x2 accumulators, subtracting in f64 so
// the difference of two f32 values is exact.
// @ts-ignore: decorator
@inline export function squaredDiff(a: v128, b: v128): v128 {
  const lo = f64x2.sub(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b));
  const ah = f32x4.shuffle(a, a, 2, 3, 0, 1);
  const bh = f32x4.shuffle(b, b, 2, 3, 0, 1);
  const hi = f64x2.sub(f64x2.promote_low_f32x4(ah), f64x2.promote_low_f32x4(bh));
  return f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi));
}

// @ts-ignore: decorator
@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// One row of softmax cross-entropy: returns −log softmax(row)[label]; if grow ≠ 0 writes
// scale · (softmax − onehot) there (grow may alias row). Shared with the sequence losses (seq-loss.ts).
// @ts-ignore: decorator
@inline export function crossEntropyRow(row: usize, grow: usize, label: usize, N: i32, scale: f32): f64 {
  let mx = load<f32>(row);
  for (let c = 1; c < N; c++) mx = max(mx, load<f32>(row + (<usize>c << 2)));
  const xl = load<f32>(row + (label << 2)); // read before an aliased gradient overwrites it
  // exp four classes at a time (the module's SIMD exp); the sum still runs class by class, in f64.
  let z: f64 = 0;
  const mx4 = f32x4.splat(mx);
  let c = 0;
  for (; c + 4 <= N; c += 4) {
    const e = exp4(f32x4.sub(v128.load(row + (<usize>c << 2)), mx4));
    z += <f64>f32x4.extract_lane(e, 0);
    z += <f64>f32x4.extract_lane(e, 1);
    z += <f64>f32x4.extract_lane(e, 2);
    z += <f64>f32x4.extract_lane(e, 3);
    if (grow) v128.store(grow + (<usize>c << 2), e);
  }
  for (; c < N; c++) {
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(row + (<usize>c << 2)) - mx)), 0);
    z += <f64>e;
    if (grow) store<f32>(grow + (<usize>c << 2), e);
  }
  if (grow) {
    const inv = 1.0 / z;
    for (let c = 0; c < N; c++) {
      const g = grow + (<usize>c << 2);
      const p = <f32>(<f64>load<f32>(g) * inv);
      store<f32>(g, scale * (<usize>c == label ? p - <f32>1.0 : p));
    }
  }
  return Math.log(z) - (<f64>xl - <f64>mx);
}
