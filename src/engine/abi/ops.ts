// Host-side signatures of assembly/{nn,loss,adam,cost,swap,data}.ts. Pointers are byte offsets
// (Buf.ptr); a pointer of 0 means "absent" where a comment says so. Shapes are row-major; (B,N) is
// B rows of N. Arrays are f32 unless marked i32. Losses and costs come back as f64.
import type { Arity } from "./arity.ts";

export interface OpsAbi {
  // nn.ts
  /** z (B,N) += b (N) on every row. */
  addBias(z: number, b: number, B: number, N: number): void;
  /** a (n) = z·σ(z). a may alias z. */
  siluForward(z: number, a: number, n: number): void;
  /** dz (n) = da·σ(z)·(1 + z·(1 − σ(z))). dz may alias da. */
  siluBackward(dz: number, da: number, z: number, n: number): void;
  /** dst (N) = (accumulate ? dst : 0) + column sums of src (B,N): bias gradients. */
  colSum(dst: number, src: number, B: number, N: number, accumulate: boolean): void;

  // loss.ts
  /** Σ(y − t)²/n over y, t (n); dy (n, or 0) = gradScale·2(y − t)/n. */
  mseLoss(y: number, t: number, dy: number, n: number, gradScale: number): number;
  /** mseLoss of y (B,N) against one-hot(labels (B) i32), mean over B·N; dy (B,N, or 0). */
  mseOneHotLoss(y: number, labels: number, dy: number, B: number, N: number, gradScale: number): number;
  /** Mean over B of −log softmax(logits (B,N))[label]; dlogits (B,N, or 0) = gradScale·(softmax − onehot)/B. */
  softmaxCrossEntropy(logits: number, labels: number, dlogits: number, B: number, N: number, gradScale: number): number;
  /** Rows of logits (B,N) whose argmax (first on ties) equals labels (B) i32. */
  countCorrect(logits: number, labels: number, B: number, N: number): number;

  // adam.ts
  /** PyTorch Adam step on p, g, m, v (n); step ≥ 1 includes this update. lr, betas, eps are f32. */
  adam(p: number, g: number, m: number, v: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, step: number): void;

  // cost.ts
  /** Σ|w|·d over w, d (n); g (n, or 0) += gradScale·sign(w)·d. */
  l1Cost(w: number, d: number, g: number, n: number, gradScale: number): number;
  /** c·Σ|w| over w (n), c an f32 constant; g (n, or 0) += gradScale·c·sign(w). */
  l1CostConst(w: number, c: number, g: number, n: number, gradScale: number): number;

  // swap.ts: wIn (n,fanIn), wOut (fanOut, fold·n); fanIn = 0 / fanOut = 0 skip that side.
  /** out (n)[j] = Σ|wIn[j,·]| + Σ_o Σ_f |wOut[o, f·n + j]|. */
  importance(wIn: number, fanIn: number, wOut: number, fanOut: number, n: number, fold: number, out: number): void;
  /**
   * out (n, f32)[k] = connection-cost change if positions j and k swap (0 at k = j); dIn, dOut are
   * the distance (or coefficient) matrices shaped like wIn, wOut, scaled by sIn, sOut.
   */
  swapScores(wIn: number, dIn: number, fanIn: number, wOut: number, dOut: number, fanOut: number,
    n: number, fold: number, sIn: number, sOut: number, j: number, out: number): void;

  // data.ts: index arrays are i32 and trusted.
  /** dst (nIdx,rowLen) row r = src row idx[r]. */
  gatherRows(dst: number, src: number, idx: number, nIdx: number, rowLen: number): void;
  /** dst, src (rows,cols), perm (cols/fold): dst[r, f·n + s] = src[r, f·n + perm[s]], n = cols/fold. */
  gatherCols(dst: number, src: number, rows: number, cols: number, perm: number, fold: number): void;
  /** dst (B, fold·dim)[r, f·dim + c] = emb (tokens,dim)[tokens (B,fold)[r,f], c]. */
  embedGather(dst: number, emb: number, tokens: number, B: number, fold: number, dim: number): void;
  /** gEmb (tokens,dim)[tokens[r,f], c] += dx (B, fold·dim)[r, f·dim + c], in order r, f. */
  embedScatterAdd(gEmb: number, dx: number, tokens: number, B: number, fold: number, dim: number): void;
  /** dst (n) = value (f32). */
  fill(dst: number, n: number, value: number): void;
}

export const OPS_ARITY: Arity<OpsAbi> = {
  addBias: 4, siluForward: 3, siluBackward: 4, colSum: 5,
  mseLoss: 5, mseOneHotLoss: 6, softmaxCrossEntropy: 6, countCorrect: 4,
  adam: 10,
  l1Cost: 5, l1CostConst: 5,
  importance: 7, swapScores: 12,
  gatherRows: 5, gatherCols: 6, embedGather: 6, embedScatterAdd: 6, fill: 3,
};
