// Kernel family 'cost': see src/engine/abi/ for the host-side signatures.
export const costFamily: i32 = 0;
