// One SIMD WASM module: pure numerics on linear memory. Each file is one family of kernels;
// the host-side signatures live in src/engine/abi/<family>.ts.
export * from "./memory";
export * from "./math";
export * from "./gemm";
export * from "./nn";
export * from "./loss";
export * from "./adam";
export * from "./cost";
export * from "./swap";
export * from "./data";
export * from "./ablate";
export * from "./sparse";
export * from "./activation";
export * from "./layernorm";
export * from "./attention";
export * from "./seq-loss";
export * from "./tx-patch";
