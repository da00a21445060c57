// Kernel family 'nn': see src/engine/abi/ for the host-side signatures.
export const nnFamily: i32 = 0;
