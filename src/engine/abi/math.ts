// assembly/math.ts: scalar transcendentals computed in WASM for cross-runtime determinism.
export interface MathAbi {
  expf(x: number): number;
  logf(x: number): number;
  sinf(x: number): number;
  cosf(x: number): number;
  powf(x: number, y: number): number;
  sigmoidf(x: number): number;
  exp64(x: number): number;
  log64(x: number): number;
  sin64(x: number): number;
  cos64(x: number): number;
  pow64(x: number, y: number): number;
}
