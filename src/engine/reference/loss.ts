// Plain-loop references for assembly/loss.ts, in f64 throughout (f32 only where arrays store).
// A null gradient array computes the loss only.

/** f32 arrays mirror the kernel; f64 arrays keep exact values for finite-difference and brute-force checks. */
type Floats = Float32Array | Float64Array;

/** y, t, dy (n): returns Σ(y − t)²/n; dy = gradScale·2(y − t)/n. */
export function mseLossRef(y: Floats, t: Floats, dy: Floats | null, n: number,
  gradScale: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - t[i];
    s += d * d;
    if (dy) dy[i] = (gradScale * 2 * d) / n;
  }
  return s / n;
}

/** y, dy (B,N), labels (B): mseLossRef against one-hot(labels), mean over B·N. */
export function mseOneHotLossRef(y: Floats, labels: Int32Array, dy: Floats | null, B: number, N: number,
  gradScale: number): number {
  const n = B * N;
  let s = 0;
  for (let r = 0; r < B; r++) {
    for (let c = 0; c < N; c++) {
      const d = y[r * N + c] - (c === labels[r] ? 1 : 0);
      s += d * d;
      if (dy) dy[r * N + c] = (gradScale * 2 * d) / n;
    }
  }
  return s / n;
}

/** logits, dlogits (B,N), labels (B): mean of −log softmax[label]; dlogits = gradScale·(p − onehot)/B. */
export function softmaxCrossEntropyRef(logits: Floats, labels: Int32Array, dlogits: Floats | null,
  B: number, N: number, gradScale: number): number {
  let s = 0;
  for (let r = 0; r < B; r++) {
    const row = logits.subarray(r * N, (r + 1) * N);
    let mx = -Infinity;
    for (let c = 0; c < N; c++) mx = Math.max(mx, row[c]);
    let z = 0;
    for (let c = 0; c < N; c++) z += Math.exp(row[c] - mx);
    s += Math.log(z) - (row[labels[r]] - mx);
    if (dlogits) {
      for (let c = 0; c < N; c++) {
        const p = Math.exp(row[c] - mx) / z;
        dlogits[r * N + c] = (gradScale * (p - (c === labels[r] ? 1 : 0))) / B;
      }
    }
  }
  return s / B;
}

/** Rows of logits (B,N) whose first argmax equals the label. */
export function countCorrectRef(logits: Floats, labels: Int32Array, B: number, N: number): number {
  let correct = 0;
  for (let r = 0; r < B; r++) {
    let best = 0;
    for (let c = 1; c < N; c++) if (logits[r * N + c] > logits[r * N + best]) best = c;
    if (best === labels[r]) correct++;
  }
  return correct;
}
