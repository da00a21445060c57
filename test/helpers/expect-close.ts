// Float comparison with a stated tolerance: |got − want| ≤ atol + rtol·|want| elementwise.
// On failure the message names the worst index and both values, never just "not equal".
import { expect } from "vitest";

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

export function maxDiff(got: ArrayLike<number>, want: ArrayLike<number>): { index: number; diff: number } {
  let index = -1;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d > diff || Number.isNaN(d)) {
      diff = Number.isNaN(d) ? Infinity : d;
      index = i;
    }
  }
  return { index, diff };
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance = {}, label = ""): void {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-4;
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const bound = atol + rtol * Math.abs(want[i]);
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= bound)) {
      const { index, diff } = maxDiff(got, want);
      throw new Error(
        `${label} not close: first bad index ${i} got ${got[i]} want ${want[i]} (bound ${bound.toExponential(2)}); ` +
          `max diff ${diff.toExponential(3)} at ${index}`,
      );
    }
  }
}

export function expectScalarClose(got: number, want: number, tol: Tolerance = {}, label = ""): void {
  expectClose([got], [want], tol, label);
}
