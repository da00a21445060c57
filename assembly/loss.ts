// Kernel family 'loss': task losses and their gradients (docs/training.md "Connection cost and loss").
// Host signatures: src/engine/abi/ops.ts; plain-TS reference: src/engine/reference/loss.ts.
// Losses are summed in f64 and returned as f64; gradients are f32. A null gradient pointer (0)
// computes the loss only. `gradScale` multiplies the gradient (e.g. to fold in a loss weight).
import { crossEntropyRow, hsum, squaredDiff } from "./loss-rows";

// y, t, dy (n). Returns Σ(y − t)²/n (PyTorch MSELoss, mean over every entry); if dy ≠ 0 writes
// dy = gradScale · 2(y − t)/n. dy may alias y.
export function mseLoss(y: usize, t: usize, dy: usize, n: i32, gradScale: f32): f64 {
  const n4 = n & ~3;
  const scale = <f32>(2.0 * <f64>gradScale / <f64>n);
  const scale4 = f32x4.splat(scale);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const yv = v128.load(y + off);
    const tv = v128.load(t + off);
    acc = f64x2.add(acc, squaredDiff(yv, tv));
    if (dy) v128.store(dy + off, f32x4.mul(scale4, f32x4.sub(yv, tv)));
  }
  let sum = hsum(acc);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const yi = load<f32>(y + off);
    const ti = load<f32>(t + off);
    const d = <f64>yi - <f64>ti;
    sum += d * d;
    if (dy) store<f32>(dy + off, scale * (yi - ti));
  }
  return sum / <f64>n;
}

// y, dy (B,N), labels (B) i32. mseLoss against one-hot(labels) without materialising the targets:
// per row Σ(y − t)² = Σy² − 2·y[label] + 1. dy may alias y.
export function mseOneHotLoss(y: usize, labels: usize, dy: usize, B: i32, N: i32, gradScale: f32): f64 {
  const n = B * N;
  const n4 = N & ~3;
  const scale = <f32>(2.0 * <f64>gradScale / <f64>n);
  const scale4 = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  let sum: f64 = 0;
  for (let r = 0; r < B; r++) {
    const row = y + ((<usize>r * <usize>N) << 2);
    const grow = dy + ((<usize>r * <usize>N) << 2);
    const label = <usize>load<i32>(labels + (<usize>r << 2));
    const yl = load<f32>(row + (label << 2)); // read before an aliased dy overwrites it
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c < n4; c += 4) {
      const v = v128.load(row + (<usize>c << 2));
      acc = f64x2.add(acc, squaredDiff(v, zero));
      if (dy) v128.store(grow + (<usize>c << 2), f32x4.mul(scale4, v));
    }
    let rowSum = hsum(acc);
    for (; c < N; c++) {
      const v = load<f32>(row + (<usize>c << 2));
      rowSum += <f64>v * <f64>v;
      if (dy) store<f32>(grow + (<usize>c << 2), scale * v);
    }
    sum += rowSum - 2.0 * <f64>yl + 1.0;
    if (dy) store<f32>(grow + (label << 2), scale * (yl - <f32>1.0));
  }
  return sum / <f64>n;
}

// logits, dlogits (B,N), labels (B) i32. Returns mean over rows of −log softmax(logits_r)[label_r]
// (row max subtracted first, so exp never overflows); if dlogits ≠ 0 writes
// gradScale · (softmax − onehot)/B. dlogits may alias logits.
export function softmaxCrossEntropy(logits: usize, labels: usize, dlogits: usize, B: i32, N: i32, gradScale: f32): f64 {
  const scale = <f32>(<f64>gradScale / <f64>B);
  let sum: f64 = 0;
  for (let r = 0; r < B; r++) {
    const at = (<usize>r * <usize>N) << 2;
    const label = <usize>load<i32>(labels + (<usize>r << 2));
    sum += crossEntropyRow(logits + at, dlogits ? dlogits + at : 0, label, N, scale);
  }
  return sum / <f64>B;
}

// logits (B,N), labels (B) i32. Rows whose argmax (first maximum on ties) equals the label.
export function countCorrect(logits: usize, labels: usize, B: i32, N: i32): i32 {
  let correct = 0;
  for (let r = 0; r < B; r++) {
    const row = logits + ((<usize>r * <usize>N) << 2);
    let best = 0;
    let mx = load<f32>(row);
    for (let c = 1; c < N; c++) {
      const v = load<f32>(row + (<usize>c << 2));
      if (v > mx) {
        mx = v;
        best = c;
      }
    }
    if (best == load<i32>(labels + (<usize>r << 2))) correct++;
  }
  return correct;
}
