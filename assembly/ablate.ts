// Kernel family 'ablate': see src/engine/abi/ for the host-side signatures.
export const ablateFamily: i32 = 0;
