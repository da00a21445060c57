// Plain-loop GEMM: the algorithmic reference for assembly/gemm.ts and the fallback for odd shapes.
// Same semantics and argument order as the WASM kernel, with arrays indexed from 0 instead of pointers.

/**
 * C (M,N) = (accumulate ? C : 0) + op(A) (M,K) @ op(B) (K,N), row-major f32.
 * op(A) is A with row stride lda, or with transA the transpose of a (K,M) matrix of row stride lda;
 * likewise op(B) from b/ldb. Only the M×N entries of C are written (row padding is left alone).
 * Each entry is summed in increasing k in f64 and rounded once, so it is the exactly-rounded dot product
 * up to f64 error, a stable target for the SIMD kernel's f32 sums.
 */
export function gemmRef(
  transA: number, transB: number, M: number, N: number, K: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number, accumulate: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const x = transA ? a[k * lda + i] : a[i * lda + k];
        const y = transB ? b[j * ldb + k] : b[k * ldb + j];
        s += x * y;
      }
      const o = i * ldc + j;
      c[o] = accumulate ? c[o] + s : s;
    }
  }
}
