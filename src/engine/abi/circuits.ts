// Host-side signatures of the circuit kernels (assembly/ablate*.ts, assembly/sparse.ts).
import type { Arity } from "./arity.ts";

export interface CircuitsAbi {
  // --- assembly/ablate*.ts: ACDC edge-ablation passes and metrics (src/circuits/acdc*.ts, forward-cache.ts).
  // `plan` is the byte offset of the i32 plan described in src/circuits/ablate-plan.ts (PLAN); the
  // module also exports the plan's layout as constants (checked by test/circuits/ablate-abi.test.ts).
  /** out (n) = a − b. */
  subtract(out: number, a: number, b: number, n: number): void;
  /** Fills the plan's kl reference (full-model softmax, mass outside the output subset). */
  metricSetup(plan: number): void;
  /** terms (n, f64) = per-example metric terms of f32 outputs y (n, d_out); returns their sum. */
  metricTerms(plan: number, y: number, terms: number): number;
  /** metricTerms of f64 outputs y (n, d_out). Both use one padded row of the plan's scratch. */
  metricTerms64(plan: number, y: number, terms: number): number;
  /**
   * g (rows, d_out) = ∂M/∂y of f32 outputs y (rows, d_out) of examples start … start+rows, for
   * logit-diff and mse (to the plan's yFull); other metrics leave g untouched.
   */
  metricGradient(plan: number, y: number, g: number, start: number, rows: number): void;
  /** Builds the plan's per-sender lists of (example, ã − a ≠ 0) for weight layer l; returns their length. */
  deltaLists(plan: number, l: number): number;
  /** Scratch bytes the plan needs at PLAN_SCRATCH. */
  ablateScratchBytes(plan: number): number;
  /**
   * ACDC at receiver j of neuron layer l+1: tests its kept incoming edges in increasing sender index,
   * removes those with Δ < tau; deltas (d_l, f64) = Δ per tested edge, NaN if already absent.
   * Returns the number removed.
   */
  acdcReceiver(plan: number, l: number, j: number, tau: number, deltas: number): number;
  /** Metric change if neuron u of neuron layer l lost all its kept outgoing edges. */
  acdcNeuron(plan: number, l: number, u: number): number;
  /** Applies an accepted removal of neuron u (layer l) to z_l and a_{l+1} of the examples it changes. */
  neuronCommit(plan: number, l: number, u: number): void;
  // --- end assembly/ablate*.ts
  // --- assembly/sparse.ts: CSR circuit inference (src/circuits/sparse.ts) and EAP helpers (src/circuits/eap.ts).
  // Feature-major buffers (features, Bp) hold one feature of Bp examples per row; Bp is a multiple of 4.
  /** yT (nOut,lanes) = (accumulate ? yT : 0) + W·xT, then + bias (0: none); W in CSR (rows = receivers). */
  csrMatmulT(
    yT: number, // byte offset of yT (nOut rows of stride ldy)
    ldy: number, // row stride of yT in elements, a multiple of 4
    xT: number, // byte offset of xT (nIn rows of stride ldx)
    ldx: number, // row stride of xT in elements, a multiple of 4
    rowPtr: number, // i32 (nOut + 1): row j's nonzeros are rowPtr[j] .. rowPtr[j+1]
    colIdx: number, // i32 (nnz): sender of each nonzero, increasing within a row
    vals: number, // f32 (nnz): the weights
    nOut: number,
    lanes: number, // examples per row computed, a multiple of 4
    accumulate: number, // 0: overwrite yT; 1: add onto it
    bias: number, // f32 (nOut) added after the product, or 0
  ): void;
  /** dst (cols,Bp)[c, b] = src (B,srcWidth)[b, srcCol[c]], srcCol i32 (cols); lanes ≥ B untouched. */
  transposeGather(dst: number, src: number, B: number, Bp: number, srcWidth: number, cols: number,
    srcCol: number): void;
  /** dst (B,N)[b, perm[p]] = src (N,Bp)[p, b]. */
  scatterTranspose(dst: number, src: number, B: number, Bp: number, N: number, perm: number): void;
  /** d (B,N) = abl − a; row r of abl starts at abl + 4·r·ablStride (0: one shared row). */
  ablationDelta(d: number, a: number, abl: number, B: number, N: number, ablStride: number): void;
  /** dst (n) = a + beta·d; may alias. */
  addScaled(dst: number, a: number, d: number, n: number, beta: number): void;
  /** dst (n) = scale·(a ⊙ b); may alias. */
  scaledProduct(dst: number, a: number, b: number, n: number, scale: number): void;
  // --- end assembly/sparse.ts
}

export const CIRCUITS_ARITY: Arity<CircuitsAbi> = {
  subtract: 4, metricSetup: 1, metricTerms: 3, metricTerms64: 3, metricGradient: 5, deltaLists: 2, ablateScratchBytes: 1,
  acdcReceiver: 5, acdcNeuron: 3, neuronCommit: 3,
  csrMatmulT: 11, transposeGather: 7, scatterTranspose: 6, ablationDelta: 6, addScaled: 5, scaledProduct: 5,
};
