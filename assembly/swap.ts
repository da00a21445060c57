// Kernel family 'swap': see src/engine/abi/ for the host-side signatures.
export const swapFamily: i32 = 0;
