// Plain-loop references for assembly/nn.ts: same semantics on typed arrays, f64 intermediates
// (rounded only where an f32 array stores). The tests' ground truth and the odd-shape fallback.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference and brute-force checks. */
type Floats = Float32Array | Float64Array;

/** z (B,N) += b (N) on every row. */
export function addBiasRef(z: Floats, b: Floats, B: number, N: number): void {
  for (let r = 0; r < B; r++) for (let c = 0; c < N; c++) z[r * N + c] += b[c];
}

export function sigmoidRef(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** a (n) = z·σ(z). */
export function siluForwardRef(z: Floats, a: Floats, n: number): void {
  for (let i = 0; i < n; i++) a[i] = z[i] * sigmoidRef(z[i]);
}

/** dz (n) = da·σ(z)·(1 + z·(1 − σ(z))). */
export function siluBackwardRef(dz: Floats, da: Floats, z: Floats, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = sigmoidRef(z[i]);
    dz[i] = da[i] * s * (1 + z[i] * (1 - s));
  }
}

/** dst (N) = (accumulate ? dst : 0) + Σ_r src (B,N)[r, ·], summed in f64. */
export function colSumRef(dst: Floats, src: Floats, B: number, N: number, accumulate: boolean): void {
  for (let c = 0; c < N; c++) {
    let s = accumulate ? dst[c] : 0;
    for (let r = 0; r < B; r++) s += src[r * N + c];
    dst[c] = s;
  }
}
