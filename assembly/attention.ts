// Kernel family 'attention': causal multi-head self-attention, forward and backward, fused over the
// batch and the heads (one call per layer). Host signatures: src/engine/abi/transformer.ts; plain-TS
// reference: src/engine/reference/attention.ts.
//
// Layouts (row-major f32, rows = positions of the B sequences of T tokens, sequence-major):
//   qkv (B·T, 3·H·dh)  each row: q of head 0 … H−1 (dh each), then k likewise, then v likewise
//                      (the rows of the fused map `l.qkv.weight`, src/model/transformer-spec.ts)
//   probs (B, H, T, T) A = softmax(q kᵀ·scale + causal mask) per head; row i is zero right of i
//   z (B·T, H·dh)      z_h = A_h v_h, head h in columns h·dh …
// Every matrix product is the packed GEMM (assembly/gemm.ts) on strided views of these buffers, so the
// products run at GEMM speed without copies; the softmax (assembly/softmax-row.ts) uses the module's SIMD exp.
import { gemm } from "./gemm";
import { softmaxPrefix } from "./softmax-row";

// @ts-ignore: decorator
@inline function hsum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// p (T,T): row i ← softmax(scale·p[i, 0..i]), entries right of the diagonal ← 0.
function causalSoftmax(p: usize, T: i32, scale: f32): void {
  const rowBytes = <usize>T << 2;
  for (let i = 0; i < T; i++) softmaxPrefix(p + <usize>i * rowBytes, i + 1, T, scale);
}

// ds (T,T) ← scale · P ⊙ (dP − rowsum(P ⊙ dP)) on and left of the diagonal, 0 right of it; ds is dP
// (in place). p (T,T) is the forward's probabilities.
function causalSoftmaxBackward(ds: usize, p: usize, T: i32, scale: f32): void {
  const rowBytes = <usize>T << 2;
  for (let i = 0; i < T; i++) {
    const pr = p + <usize>i * rowBytes;
    const dr = ds + <usize>i * rowBytes;
    const n = i + 1;
    const n4 = n & ~3;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(pr + o), v128.load(dr + o)));
    }
    let dot = hsum4(acc);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      dot += load<f32>(pr + o) * load<f32>(dr + o);
    }
    const dot4 = f32x4.splat(dot);
    const sc4 = f32x4.splat(scale);
    j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(sc4, f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dr + o), dot4))));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, scale * (load<f32>(pr + o) * (load<f32>(dr + o) - dot)));
    }
    if (n < T) memory.fill(dr + (<usize>n << 2), 0, <usize>(T - n) << 2);
  }
}

// probs, z ← attention of qkv (layouts above); scale is usually 1/√dh.
export function attentionForward(qkv: usize, probs: usize, z: usize, B: i32, T: i32, H: i32, dh: i32, scale: f32): void {
  const ld = 3 * H * dh;
  const ldz = H * dh;
  const tt = <usize>T * <usize>T;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const q = qkv + ((<usize>b * T * ld + <usize>h * dh) << 2);
      const k = q + (<usize>(H * dh) << 2);
      const v = k + (<usize>(H * dh) << 2);
      const p = probs + ((<usize>(b * H + h) * tt) << 2);
      gemm(0, 1, T, T, dh, q, ld, k, ld, p, T, 0); // S (T,T) = q kᵀ
      causalSoftmax(p, T, scale);
      gemm(0, 0, T, dh, T, p, T, v, ld, z + ((<usize>b * T * ldz + <usize>h * dh) << 2), ldz, 0); // z_h = A v
    }
  }
}

// dqkv (B·T, 3·H·dh) ← the gradient of the loss w.r.t. qkv, given dz (B·T, H·dh) and the forward's
// qkv and probs. scratch (T·T) f32 holds one head's dA, then dS. dqkv is overwritten.
export function attentionBackward(qkv: usize, probs: usize, dz: usize, dqkv: usize, scratch: usize,
  B: i32, T: i32, H: i32, dh: i32, scale: f32): void {
  const ld = 3 * H * dh;
  const ldz = H * dh;
  const tt = <usize>T * <usize>T;
  const kOff = <usize>(H * dh) << 2;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const at = (<usize>b * T * ld + <usize>h * dh) << 2;
      const q = qkv + at;
      const k = q + kOff;
      const v = k + kOff;
      const dq = dqkv + at;
      const dk = dq + kOff;
      const dv = dk + kOff;
      const p = probs + ((<usize>(b * H + h) * tt) << 2);
      const dzh = dz + ((<usize>b * T * ldz + <usize>h * dh) << 2);
      gemm(0, 1, T, T, dh, dzh, ldz, v, ld, scratch, T, 0); // dA (T,T) = dz vᵀ
      gemm(1, 0, T, dh, T, p, T, dzh, ldz, dv, ld, 0); // dv = Aᵀ dz
      causalSoftmaxBackward(scratch, p, T, scale); // dS = ∂/∂(q kᵀ)
      gemm(0, 0, T, dh, T, scratch, T, k, ld, dq, ld, 0); // dq = dS k
      gemm(1, 0, T, dh, T, scratch, T, q, ld, dk, ld, 0); // dk = dSᵀ q
    }
  }
}
