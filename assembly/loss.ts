// Kernel family 'loss': see src/engine/abi/ for the host-side signatures.
export const lossFamily: i32 = 0;
