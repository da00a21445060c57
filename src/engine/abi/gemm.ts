// Host-side signatures of the 'gemm' kernels. Pointers are byte offsets (Buf.ptr).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GemmAbi {}
