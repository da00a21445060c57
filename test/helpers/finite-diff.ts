// Test inputs and the independent check every gradient is held to: central finite differences.
import type { Rng } from "../../src/engine/random.ts";

/** n values drawn uniformly from [lo, hi). */
export function randomF32(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(lo, hi));
}

/**
 * Central differences of `loss` with respect to every entry of x, (loss(x+h) − loss(x−h)) / 2h. x is
 * changed in place and restored; `loss` reads x (it is also given x for convenience).
 */
export function finiteDiff(x: Float64Array | Float32Array, loss: (x: Float64Array | Float32Array) => number,
  h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = loss(x);
    x[i] = keep - h;
    const down = loss(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
