// Host-side signatures of the 'gemm' kernels (assembly/gemm.ts). Pointers are byte offsets (Buf.ptr);
// dimensions and leading dimensions count f32 elements. Reference: src/engine/reference/gemm.ts.
import type { Arity } from "./arity.ts";

export interface GemmAbi {
  /** C (M,N) = (accumulate ? C : 0) + op(A) (M,K) @ op(B) (K,N), row-major f32; only the M×N entries of C change. */
  gemm(
    transA: number, // 0: A is stored (M,K); 1: A is stored (K,M) and used transposed
    transB: number, // 0: B is stored (K,N); 1: B is stored (N,K) and used transposed
    M: number, // rows of C and of op(A)
    N: number, // columns of C and of op(B)
    K: number, // the summed dimension: columns of op(A), rows of op(B)
    a: number, // byte offset of A
    lda: number, // row stride of A as stored, in elements (≥ K, or ≥ M when transA)
    b: number, // byte offset of B
    ldb: number, // row stride of B as stored, in elements (≥ N, or ≥ K when transB)
    c: number, // byte offset of C
    ldc: number, // row stride of C, in elements (≥ N)
    accumulate: number, // 0: overwrite C; 1: add the product onto C
  ): void;
}

export const GEMM_ARITY: Arity<GemmAbi> = {
  gemm: 12,
};
