// Kernel family 'nn': bias, SiLU and bias-gradient kernels of the MLP (docs/training.md "Model").
// Host signatures: src/engine/abi/ops.ts; plain-TS reference: src/engine/reference/nn.ts.
// All pointers are byte offsets of f32 arrays, row-major.
import { sigmoid1, sigmoid4 } from "./simd-math";

// z (B,N) += b (N) broadcast over rows.
export function addBias(z: usize, b: usize, B: i32, N: i32): void {
  const n4 = N & ~3;
  for (let r = 0; r < B; r++) {
    const row = z + ((<usize>r * <usize>N) << 2);
    let c = 0;
    for (; c < n4; c += 4) {
      const p = row + (<usize>c << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(b + (<usize>c << 2))));
    }
    for (; c < N; c++) {
      const p = row + (<usize>c << 2);
      store<f32>(p, load<f32>(p) + load<f32>(b + (<usize>c << 2)));
    }
  }
}

// a (n) = z · σ(z), four lanes at a time with the module's SIMD exp (assembly/simd-math.ts); the
// tail goes through the same lane code so an element's result never depends on its position.
export function siluForward(z: usize, a: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(z + off);
    v128.store(a + off, f32x4.mul(x, sigmoid4(x)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(z + off);
    store<f32>(a + off, x * sigmoid1(x));
  }
}

// dz (n) = da · σ(z) · (1 + z·(1 − σ(z))), the derivative of z·σ(z). dz may alias da: each element
// is read before it is written.
export function siluBackward(dz: usize, da: usize, z: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(z + off);
    const s = sigmoid4(x);
    const d = f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s))));
    v128.store(dz + off, f32x4.mul(v128.load(da + off), d));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(z + off);
    const s = sigmoid1(x);
    store<f32>(dz + off, load<f32>(da + off) * (s * (<f32>1.0 + x * (<f32>1.0 - s))));
  }
}

// dst (N) = (accumulate ? dst : 0) + Σ_r src (B,N)[r, ·]: bias gradients. Sums run in f64 over four
// columns at a time (two f64x2 accumulators), rows in order, and round to f32 once.
export function colSum(dst: usize, src: usize, B: i32, N: i32, accumulate: bool): void {
  const stride = <usize>N << 2;
  const n4 = N & ~3;
  let c = 0;
  for (; c < n4; c += 4) {
    const col = <usize>c << 2;
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    if (accumulate) {
      const d = v128.load(dst + col);
      lo = f64x2.promote_low_f32x4(d);
      hi = f64x2.promote_low_f32x4(f32x4.shuffle(d, d, 2, 3, 0, 1));
    }
    let p = src + col;
    for (let r = 0; r < B; r++) {
      const v = v128.load(p);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1)));
      p += stride;
    }
    const out = f32x4.demote_f64x2_zero(lo);
    v128.store(dst + col, f32x4.shuffle(out, f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; c < N; c++) {
    const col = <usize>c << 2;
    let s: f64 = accumulate ? <f64>load<f32>(dst + col) : 0;
    let p = src + col;
    for (let r = 0; r < B; r++) {
      s += <f64>load<f32>(p);
      p += stride;
    }
    store<f32>(dst + col, <f32>s);
  }
}
