// One causal softmax row, shared by the attention kernels (assembly/attention.ts) and the transformer
// circuit passes (assembly/tx-patch.ts), so a query row computed on its own has the same bits as in a
// whole layer's pass. Not a kernel of its own: the module's index does not export this file.
import { exp4 } from "./simd-math";

// @ts-ignore: decorator
@inline function hsum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// row (T) ← softmax(scale·row[0..n)) in its first n entries, 0 in the rest. The row maximum is
// subtracted first, so exp never overflows; the exp of a tail entry goes through the same lanes.
export function softmaxPrefix(row: usize, n: i32, T: i32, scale: f32): void {
  const sc4 = f32x4.splat(scale);
  const n4 = n & ~3;
  let mx = load<f32>(row);
  for (let j = 1; j < n; j++) mx = max(mx, load<f32>(row + (<usize>j << 2)));
  const mx4 = f32x4.splat(mx);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j < n4; j += 4) {
    const o = <usize>j << 2;
    const e = exp4(f32x4.mul(sc4, f32x4.sub(v128.load(row + o), mx4)));
    v128.store(row + o, e);
    acc = f32x4.add(acc, e);
  }
  let sum = hsum4(acc);
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const e = f32x4.extract_lane(exp4(f32x4.splat(scale * (load<f32>(row + o) - mx))), 0);
    store<f32>(row + o, e);
    sum += e;
  }
  const inv4 = f32x4.splat(<f32>1.0 / sum);
  j = 0;
  for (; j < n4; j += 4) {
    const o = <usize>j << 2;
    v128.store(row + o, f32x4.mul(v128.load(row + o), inv4));
  }
  const inv = <f32>1.0 / sum;
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(row + o, load<f32>(row + o) * inv);
  }
  if (n < T) memory.fill(row + (<usize>n << 2), 0, <usize>(T - n) << 2);
}
