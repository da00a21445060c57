// Plain-loop reference for assembly/adam.ts: PyTorch's Adam (weight decay 0) in f64, stored as f32.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference and brute-force checks. */
type Floats = Float32Array | Float64Array;

/** One Adam step on p, g, m, v (n); step ≥ 1 counts this update. */
export function adamRef(p: Floats, g: Floats, m: Floats, v: Floats, n: number,
  lr: number, beta1: number, beta2: number, eps: number, step: number): void {
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < n; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
  }
}

/** One PyTorch AdamW step: p ← p·(1 − lr·weightDecay), then the Adam step above. */
export function adamwRef(p: Floats, g: Floats, m: Floats, v: Floats, n: number,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number): void {
  for (let i = 0; i < n; i++) p[i] -= lr * weightDecay * p[i];
  adamRef(p, g, m, v, n, lr, beta1, beta2, eps, step);
}
