// Host-side signatures of the circuit kernels (assembly/ablate.ts, assembly/sparse.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface CircuitsAbi {}
