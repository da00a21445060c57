// Kernel family 'sparse': see src/engine/abi/ for the host-side signatures.
export const sparseFamily: i32 = 0;
