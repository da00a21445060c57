// Plain-loop references for assembly/cost.ts: the BIMT connection cost Σ|w|·d and its gradient
// sign(w)·d, with torch.sign's sign(0) = 0. A null g computes the cost only.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference and brute-force checks. */
type Floats = Float32Array | Float64Array;

/** w, d, g (n): returns Σ|w|·d; g += gradScale·sign(w)·d. */
export function l1CostRef(w: Floats, d: Floats, g: Floats | null, n: number,
  gradScale: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += Math.abs(w[i]) * d[i];
    if (g && gradScale !== 0) g[i] += gradScale * Math.sign(w[i]) * d[i];
  }
  return s;
}

/** w, g (n): returns c·Σ|w|; g += gradScale·c·sign(w). */
export function l1CostConstRef(w: Floats, c: number, g: Floats | null, n: number,
  gradScale: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += Math.abs(w[i]);
    if (g && gradScale !== 0) g[i] += gradScale * c * Math.sign(w[i]);
  }
  return c * s;
}
