// Kernel family 'adam': see src/engine/abi/ for the host-side signatures.
export const adamFamily: i32 = 0;
