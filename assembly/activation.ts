// Kernel family 'activation': GELU (the tanh form of GPT-2) and ReLU, forward and backward, for the
// transformer's MLP (SiLU is in nn.ts). Host signatures: src/engine/abi/transformer.ts; plain-TS
// reference: src/engine/reference/activation.ts. f32 arrays of n elements.
//
// gelu(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³). Since ½(1 + tanh u) = σ(2u), gelu(x) = x·σ(2u),
// computed with the module's SIMD sigmoid (assembly/simd-math.ts), so one exp serves every kernel and
// the bits are the same on every runtime. Tails go through the same lane code as full vectors.
import { sigmoid4 } from "./simd-math";

const C2 = <f32>(2 * 0.7978845608028654); // 2·√(2/π)
const C3 = <f32>0.044715;

// σ(2u) for four lanes of x
// @ts-ignore: decorator
@inline function gate4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  return sigmoid4(f32x4.mul(f32x4.splat(C2), f32x4.add(x, f32x4.mul(f32x4.splat(C3), x3))));
}

// a = x·σ(2u)
// @ts-ignore: decorator
@inline function gelu4(x: v128): v128 {
  return f32x4.mul(x, gate4(x));
}

// gelu'(x) = s + x·s(1 − s)·2u', s = σ(2u), 2u' = 2√(2/π)(1 + 3·0.044715x²)
// @ts-ignore: decorator
@inline function geluGrad4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const s = gate4(x);
  const du2 = f32x4.mul(f32x4.splat(C2), f32x4.add(one, f32x4.mul(f32x4.splat(3 * C3), f32x4.mul(x, x))));
  return f32x4.add(s, f32x4.mul(f32x4.mul(x, f32x4.mul(s, f32x4.sub(one, s))), du2));
}

// a (n) = gelu(z). a may alias z.
export function geluForward(z: usize, a: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    v128.store(a + off, gelu4(v128.load(z + off)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(a + off, f32x4.extract_lane(gelu4(f32x4.splat(load<f32>(z + off))), 0));
  }
}

// dz (n) = da · gelu'(z). dz may alias da.
export function geluBackward(dz: usize, da: usize, z: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    v128.store(dz + off, f32x4.mul(v128.load(da + off), geluGrad4(v128.load(z + off))));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const g = f32x4.extract_lane(geluGrad4(f32x4.splat(load<f32>(z + off))), 0);
    store<f32>(dz + off, load<f32>(da + off) * g);
  }
}

// a (n) = max(z, 0). a may alias z. (−0 and NaN map to 0, as max(0, ·) with 0 first.)
export function reluForward(z: usize, a: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(z + off);
    v128.store(a + off, v128.and(x, f32x4.gt(x, zero)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(z + off);
    store<f32>(a + off, x > 0 ? x : 0);
  }
}

// dz (n) = da where z > 0, else 0 (the subgradient 0 at z = 0, as PyTorch). dz may alias da.
export function reluBackward(dz: usize, da: usize, z: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    v128.store(dz + off, v128.and(v128.load(da + off), f32x4.gt(v128.load(z + off), zero)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(dz + off, load<f32>(z + off) > 0 ? load<f32>(da + off) : 0);
  }
}
