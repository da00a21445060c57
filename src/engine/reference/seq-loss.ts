// Plain-loop reference for assembly/seq-loss.ts: losses over chosen positions, in f64.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference checks. */
type Floats = Float32Array | Float64Array;

/** Mean over rows with labels[r] ≥ 0 of −log softmax(logits_r)[label]; dlogits = gradScale·(p − onehot)/count, 0 on ignored rows. */
export function maskedCrossEntropyRef(logits: Floats, labels: Int32Array, dlogits: Floats | null, rows: number,
  N: number, gradScale: number): number {
  let count = 0;
  for (let r = 0; r < rows; r++) if (labels[r] >= 0) count++;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if (label < 0 || count === 0) {
      if (dlogits) dlogits.fill(0, r * N, (r + 1) * N);
      continue;
    }
    let mx = -Infinity;
    for (let c = 0; c < N; c++) mx = Math.max(mx, logits[r * N + c]);
    let z = 0;
    for (let c = 0; c < N; c++) z += Math.exp(logits[r * N + c] - mx);
    s += Math.log(z) - (logits[r * N + label] - mx);
    if (dlogits) {
      for (let c = 0; c < N; c++) {
        const p = Math.exp(logits[r * N + c] - mx) / z;
        dlogits[r * N + c] = (gradScale * (p - (c === label ? 1 : 0))) / count;
      }
    }
  }
  return count === 0 ? 0 : s / count;
}

/**
 * Σ over rows with mask[r] ≠ 0 and columns c < cols of (y − t)², over count·cols; dy = gradScale·2(y − t)/(count·cols)
 * on those entries, 0 elsewhere.
 */
export function maskedMseRef(y: Floats, t: Floats, mask: Int32Array, dy: Floats | null, rows: number, N: number,
  cols: number, gradScale: number): number {
  let count = 0;
  for (let r = 0; r < rows; r++) if (mask[r] !== 0) count++;
  const n = count * cols;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < N; c++) {
      const i = r * N + c;
      const counted = mask[r] !== 0 && c < cols;
      const d = y[i] - t[i];
      if (counted) s += d * d;
      if (dy) dy[i] = counted ? (gradScale * 2 * d) / n : 0;
    }
  }
  return n === 0 ? 0 : s / n;
}
