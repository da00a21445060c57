// assembly/math.ts: scalar transcendentals computed in WASM for cross-runtime determinism.
import type { Arity } from "./arity.ts";

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

export const MATH_ARITY: Arity<MathAbi> = {
  expf: 1, logf: 1, sinf: 1, cosf: 1, powf: 2, sigmoidf: 1,
  exp64: 1, log64: 1, sin64: 1, cos64: 1, pow64: 2,
};
