// Kernel family 'data': see src/engine/abi/ for the host-side signatures.
export const dataFamily: i32 = 0;
