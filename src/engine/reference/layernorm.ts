// Plain-loop reference for assembly/layernorm.ts, in f64 (rounded only where an f32 array stores).

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference checks. */
type Floats = Float32Array | Float64Array;

/** y (rows,d) = (x − μ)/√(σ² + eps)·g + b per row (biased σ²); mean, rstd (rows) out. */
export function layerNormForwardRef(y: Floats, x: Floats, g: Floats, b: Floats, mean: Floats, rstd: Floats,
  rows: number, d: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[r * d + c];
    const mu = s / d;
    let v = 0;
    for (let c = 0; c < d; c++) v += (x[r * d + c] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / d + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let c = 0; c < d; c++) y[r * d + c] = (x[r * d + c] - mu) * rs * g[c] + b[c];
  }
}

/** dx (=, or += when accumulate) the input gradient; dg, db (d) = Σ_rows dy·x̂, Σ_rows dy. */
export function layerNormBackwardRef(dx: Floats, dy: Floats, x: Floats, g: Floats, mean: Floats, rstd: Floats,
  dg: Floats, db: Floats, rows: number, d: number, accumulate: number): void {
  dg.fill(0, 0, d);
  db.fill(0, 0, d);
  for (let r = 0; r < rows; r++) {
    const mu = mean[r];
    const rs = rstd[r];
    let s1 = 0;
    let s2 = 0;
    for (let c = 0; c < d; c++) {
      const xh = (x[r * d + c] - mu) * rs;
      const gh = dy[r * d + c] * g[c];
      s1 += gh;
      s2 += gh * xh;
      dg[c] += dy[r * d + c] * xh;
      db[c] += dy[r * d + c];
    }
    for (let c = 0; c < d; c++) {
      const xh = (x[r * d + c] - mu) * rs;
      const v = rs * (dy[r * d + c] * g[c] - s1 / d - (xh * s2) / d);
      dx[r * d + c] = accumulate ? dx[r * d + c] + v : v;
    }
  }
}
