// Kernel family 'adam': the optimiser step (docs/training.md: Adam, i.e. AdamW with weight decay 0).
// Host signatures: src/engine/abi/ops.ts; plain-TS reference: src/engine/reference/adam.ts.

// p, g, m, v (n) f32; step ≥ 1 counts updates including this one. PyTorch's Adam
// (torch/optim/adam.py, single-tensor path), Kingma & Ba's m̂/v̂ written as step-size corrections:
//   m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//   p ← p − (lr/bc1) · m / (√v/√bc2 + eps),  bc1 = 1 − β1^step, bc2 = 1 − β2^step.
// The bias corrections use f64 powers, as PyTorch does with Python floats; the update is f32.
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: i32): void {
  adamStep(p, g, m, v, n, lr, beta1, beta2, eps, 0, step);
}

// AdamW (Loshchilov & Hutter; PyTorch's torch/optim/adamw.py): the same step after the decoupled
// weight decay p ← p − (lr·weightDecay)·p. With weightDecay 0 it is adam, bit for bit.
export function adamw(p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, step: i32): void {
  adamStep(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step);
}

// @ts-ignore: decorator
@inline function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, step: i32): void {
  const bc1 = 1.0 - Math.pow(<f64>beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(<f64>beta2, <f64>step);
  const stepSize = <f32>(<f64>lr / bc1);
  const sqrtBc2 = <f32>Math.sqrt(bc2);
  const oneMinusB1 = <f32>1.0 - beta1;
  const oneMinusB2 = <f32>1.0 - beta2;

  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(oneMinusB1);
  const c2 = f32x4.splat(oneMinusB2);
  const ss = f32x4.splat(stepSize);
  const sb = f32x4.splat(sqrtBc2);
  const ep = f32x4.splat(eps);
  // p·(1 − c) written p − c·p: 1 − c rounded to f32 would carry a relative error of up to 3e-8 per step
  // (c ≈ 1e-4), the same sign every step; c·p carries it only on the small term.
  const c = <f32>(<f64>lr * <f64>weightDecay);
  const cv = f32x4.splat(c);
  const decays = weightDecay != 0;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const gi = v128.load(g + off);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + off)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + off)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), sb), ep);
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    let pi = v128.load(p + off);
    if (decays) pi = f32x4.sub(pi, f32x4.mul(cv, pi));
    v128.store(p + off, f32x4.sub(pi, f32x4.mul(ss, f32x4.div(mi, denom))));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const mi = beta1 * load<f32>(m + off) + oneMinusB1 * gi;
    const vi = beta2 * load<f32>(v + off) + oneMinusB2 * (gi * gi);
    const denom = Mathf.sqrt(vi) / sqrtBc2 + eps;
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    let pi = load<f32>(p + off);
    if (decays) pi -= c * pi;
    store<f32>(p + off, pi - stepSize * (mi / denom));
  }
}
