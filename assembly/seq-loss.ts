// Kernel family 'seq-loss': losses over the positions of a batch of sequences, counting only chosen
// positions (the loss mask of a sequence task). Host signatures: src/engine/abi/transformer.ts;
// plain-TS reference: src/engine/reference/seq-loss.ts. Losses in f64, gradients f32; a null gradient
// pointer (0) computes the loss only.
import { crossEntropyRow, hsum, squaredDiff } from "./loss-rows";

// logits, dlogits (rows,N), labels (rows) i32, a label < 0 marks a position the loss ignores (PyTorch's
// ignore_index). Returns the mean over counted rows of −log softmax(logits_r)[label_r] (0 when none
// counts); dlogits = gradScale·(softmax − onehot)/count on counted rows, 0 on ignored ones. dlogits may
// alias logits.
export function maskedCrossEntropy(logits: usize, labels: usize, dlogits: usize, rows: i32, N: i32, gradScale: f32): f64 {
  let count = 0;
  for (let r = 0; r < rows; r++) if (load<i32>(labels + (<usize>r << 2)) >= 0) count++;
  if (count == 0) {
    if (dlogits) memory.fill(dlogits, 0, (<usize>rows * <usize>N) << 2);
    return 0;
  }
  const scale = <f32>(<f64>gradScale / <f64>count);
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>N) << 2;
    const label = load<i32>(labels + (<usize>r << 2));
    if (label < 0) {
      if (dlogits) memory.fill(dlogits + at, 0, <usize>N << 2);
      continue;
    }
    sum += crossEntropyRow(logits + at, dlogits ? dlogits + at : 0, <usize>label, N, scale);
  }
  return sum / <f64>count;
}

// y, t, dy (rows,N), mask (rows) i32 (≠ 0: counted). Only the first `cols` columns (≤ N) enter the
// loss (a task may read fewer outputs than the model has). Returns Σ over counted rows and columns of
// (y − t)², divided by count·cols (PyTorch's MSELoss on the chosen entries; 0 when none counts);
// dy = gradScale·2(y − t)/(count·cols) on counted entries, 0 elsewhere. dy may alias y.
export function maskedMse(y: usize, t: usize, mask: usize, dy: usize, rows: i32, N: i32, cols: i32, gradScale: f32): f64 {
  let count = 0;
  for (let r = 0; r < rows; r++) if (load<i32>(mask + (<usize>r << 2)) != 0) count++;
  if (count == 0 || cols <= 0) {
    if (dy) memory.fill(dy, 0, (<usize>rows * <usize>N) << 2);
    return 0;
  }
  const n = <f64>count * <f64>cols;
  const scale = <f32>(2.0 * <f64>gradScale / n);
  const scale4 = f32x4.splat(scale);
  const c4 = cols & ~3;
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>N) << 2;
    if (load<i32>(mask + (<usize>r << 2)) == 0) {
      if (dy) memory.fill(dy + at, 0, <usize>N << 2);
      continue;
    }
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c < c4; c += 4) {
      const o = at + (<usize>c << 2);
      const yv = v128.load(y + o);
      const tv = v128.load(t + o);
      acc = f64x2.add(acc, squaredDiff(yv, tv));
      if (dy) v128.store(dy + o, f32x4.mul(scale4, f32x4.sub(yv, tv)));
    }
    let rowSum = hsum(acc);
    for (; c < cols; c++) {
      const o = at + (<usize>c << 2);
      const yi = load<f32>(y + o);
      const ti = load<f32>(t + o);
      const d = <f64>yi - <f64>ti;
      rowSum += d * d;
      if (dy) store<f32>(dy + o, scale * (yi - ti));
    }
    if (dy && cols < N) memory.fill(dy + at + (<usize>cols << 2), 0, <usize>(N - cols) << 2);
    sum += rowSum;
  }
  return sum / n;
}
