// Kernel family 'gemm': see src/engine/abi/ for the host-side signatures.
export const gemmFamily: i32 = 0;
