// assembly/activation.ts (GELU tanh form, ReLU) against src/engine/reference/activation.ts, and the
// reference derivatives against central finite differences in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { geluBackwardRef, geluForwardRef, reluBackwardRef, reluForwardRef } from "../../src/engine/reference/activation.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const SIZES = [0, 1, 3, 5, 7, 13, 31, 64, 100, 1001];

const random = (rng: Rng, n: number, lo = -6, hi = 6): Float32Array => randomF32(rng, n, lo, hi);

type Fwd = (z: Float64Array, a: Float64Array, n: number) => void;
type Bwd = (dz: Float64Array, da: Float64Array, z: Float64Array, n: number) => void;

function fdCheck(fwd: Fwd, bwd: Bwd, z: Float64Array): void {
  const n = z.length;
  const da = Float64Array.from(random(new Rng(n), n, -1, 1));
  const dz = new Float64Array(n);
  bwd(dz, da, z, n);
  const [up, down, fd] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const h = 1e-6;
  fwd(z.map((v) => v + h), up, n);
  fwd(z.map((v) => v - h), down, n);
  for (let i = 0; i < n; i++) fd[i] = (da[i] * (up[i] - down[i])) / (2 * h);
  expectClose(dz, fd, { atol: 1e-8, rtol: 1e-6 }, "derivative vs finite differences");
}

const kernels = [
  { name: "gelu", fwd: geluForwardRef, bwd: geluBackwardRef, f: "geluForward", b: "geluBackward", tol: { atol: 3e-7, rtol: 2e-6 } },
  { name: "relu", fwd: reluForwardRef, bwd: reluBackwardRef, f: "reluForward", b: "reluBackward", tol: { atol: 0, rtol: 0 } },
] as const;

for (const k of kernels) {
  describe(k.name, () => {
    it("reference derivative equals central finite differences (away from relu's kink)", () => {
      const z = Float64Array.from(random(new Rng(2), 41)).map((v) => (Math.abs(v) < 1e-3 ? v + 0.01 : v));
      fdCheck(k.fwd, k.bwd, z);
    });

    it.each(SIZES)("forward matches the reference for n = %i, also in place", (n) => {
      const z = random(new Rng(n + 1), n);
      const want = new Float32Array(n);
      k.fwd(z as unknown as Float64Array, want as unknown as Float64Array, n);
      const [zb, ab] = [e.from(z), e.alloc(n)];
      e.k[k.f](zb.ptr, ab.ptr, n);
      expectClose(e.read(ab), want, k.tol, `${k.name} forward`);
      e.k[k.f](zb.ptr, zb.ptr, n);
      expectClose(e.read(zb), e.read(ab), { atol: 0, rtol: 0 }, "in place");
      e.free(zb, ab);
    });

    it.each(SIZES)("backward matches the reference for n = %i, also in place", (n) => {
      const rng = new Rng(n + 50);
      const z = random(rng, n);
      const da = random(rng, n, -1, 1);
      const want = new Float32Array(n);
      k.bwd(want as unknown as Float64Array, da as unknown as Float64Array, z as unknown as Float64Array, n);
      const [zb, dab, dzb] = [e.from(z), e.from(da), e.alloc(n)];
      e.k[k.b](dzb.ptr, dab.ptr, zb.ptr, n);
      expectClose(e.read(dzb), want, { atol: k.tol.atol * 4, rtol: k.tol.rtol * 4 }, `${k.name} backward`);
      e.k[k.b](dab.ptr, dab.ptr, zb.ptr, n);
      expectClose(e.read(dab), e.read(dzb), { atol: 0, rtol: 0 }, "in place");
      e.free(zb, dab, dzb);
    });
  });
}

describe("activation edge values", () => {
  it("gelu saturates without NaN and matches known values", () => {
    const zb = e.from([-100, 100, 0, -1e30, 1, -1]);
    e.k.geluForward(zb.ptr, zb.ptr, 6);
    // gelu_tanh(1) = 0.8411920, gelu_tanh(−1) = −0.1588080 (PyTorch, approximate="tanh")
    expectClose(e.read(zb), [0, 100, 0, 0, 0.841192, -0.158808], { atol: 1e-6, rtol: 0 }, "gelu extremes");
    e.free(zb);
  });

  it("relu maps −0 and negatives to 0, keeps positives, and passes gradient only where z > 0", () => {
    const zb = e.from([-0, -2, 3, 0, 1e-30]);
    const dab = e.from([5, 5, 5, 5, 5]);
    e.k.reluBackward(dab.ptr, dab.ptr, zb.ptr, 5);
    expect(Array.from(e.read(dab))).toEqual([0, 0, 5, 0, 5]);
    e.k.reluForward(zb.ptr, zb.ptr, 5);
    expect(Array.from(e.read(zb)).map((v) => Object.is(v, -0))).toEqual([false, false, false, false, false]);
    expect(Array.from(e.read(zb))).toEqual([0, 0, 3, 0, Math.fround(1e-30)]);
    e.free(zb, dab);
  });
});
