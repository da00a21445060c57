// Host-side signatures of the circuit kernels (assembly/ablate.ts, assembly/sparse.ts).
export interface CircuitsAbi {
  // --- assembly/sparse.ts: CSR circuit inference (src/circuits/sparse.ts) and EAP helpers (src/circuits/eap.ts).
  // Feature-major buffers (features, Bp) hold one feature of Bp examples per row; Bp is a multiple of 4.
  /** yT (nOut,Bp) = (accumulate ? yT : 0) + W·xT, then + bias (0: none); W in CSR (rows = receivers). */
  csrMatmulT(
    yT: number, // byte offset of yT (nOut, Bp)
    xT: number, // byte offset of xT (nIn, Bp)
    rowPtr: number, // i32 (nOut + 1): row j's nonzeros are rowPtr[j] .. rowPtr[j+1]
    colIdx: number, // i32 (nnz): sender of each nonzero, increasing within a row
    vals: number, // f32 (nnz): the weights
    nOut: number,
    Bp: number,
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
