// Row selection shared by the generators and loaders: every split is "shuffle indices with the task's
// Rng, take the first nTrain rows as train", so one seeded permutation decides the whole split.
import type { Split } from "./types.ts";

/** Copies rows `idx` of a row-major matrix with `cols` columns; keeps the array type (f32 or i32). */
export function takeRows<T extends Float32Array | Int32Array>(src: T, cols: number, idx: ArrayLike<number>): T {
  const len = idx.length * cols;
  const out = (src instanceof Int32Array ? new Int32Array(len) : new Float32Array(len)) as T;
  for (let r = 0; r < idx.length; r++) {
    const from = idx[r] * cols;
    out.set(src.subarray(from, from + cols), r * cols);
  }
  return out;
}

/** Rows `order[0..nTrain)` become train, the rest test. x has xCols columns, y has yCols (1 for labels). */
export function splitByOrder(
  x: Float32Array | Int32Array,
  xCols: number,
  y: Float32Array | Int32Array,
  yCols: number,
  order: Int32Array,
  nTrain: number,
): { train: Split; test: Split } {
  const trainIdx = order.subarray(0, nTrain);
  const testIdx = order.subarray(nTrain);
  return {
    train: { n: trainIdx.length, x: takeRows(x, xCols, trainIdx), y: takeRows(y, yCols, trainIdx) },
    test: { n: testIdx.length, x: takeRows(x, xCols, testIdx), y: takeRows(y, yCols, testIdx) },
  };
}

/** Python's int(fraction · n): the reference notebooks size the train set this way. */
export function trainCount(n: number, trainFraction: number): number {
  return Math.floor(trainFraction * n);
}

/** Names "x1".."xn" (1-based, as in the paper's formulas). */
export function numberedNames(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}
