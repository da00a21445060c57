// assembly/adam.ts against src/engine/reference/adam.ts over several steps.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { adamRef, adamwRef } from "../../src/engine/reference/adam.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const [LR, B1, B2, EPS] = [1e-3, 0.9, 0.999, 1e-8];

const random = (rng: Rng, n: number, lo = -1, hi = 1): Float32Array => randomF32(rng, n, lo, hi);

// One step of each kernel and of its reference, with the same hyper-parameters (adam has no decay).
type Stepper = (kernel: { p: number; g: number; m: number; v: number }, ref: Float32Array[], g: Float32Array,
  n: number, step: number) => void;
const adamStep: Stepper = (b, [pRef, m, v], g, n, step) => {
  e.k.adam(b.p, b.g, b.m, b.v, n, LR, B1, B2, EPS, step);
  // The kernel takes f32 hyper-parameters: feed the reference the same rounded values.
  adamRef(pRef, g, m, v, n, Math.fround(LR), Math.fround(B1), Math.fround(B2), Math.fround(EPS), step);
};
const adamwStep: Stepper = (b, [pRef, m, v], g, n, step) => {
  e.k.adamw(b.p, b.g, b.m, b.v, n, LR, B1, B2, EPS, 0.1, step);
  adamwRef(pRef, g, m, v, n, Math.fround(LR), Math.fround(B1), Math.fround(B2), Math.fround(EPS), 0.1, step);
};

/** 20 steps of random gradients on n parameters: the kernel's p, m and v against the reference's. */
function followsReference(n: number, seed: number, step: Stepper): void {
  const rng = new Rng(seed);
  const p = random(rng, n);
  // f32 reference state rounds where the kernel stores, so differences do not pile up over steps.
  const [m, v] = [new Float32Array(n), new Float32Array(n)];
  const pRef = p.slice();
  const [pb, gb, mb, vb] = [e.from(p), e.alloc(n), e.alloc(n), e.alloc(n)];
  for (let t = 1; t <= 20; t++) {
    const g = random(rng, n, -0.1, 0.1);
    e.write(gb, g);
    step({ p: pb.ptr, g: gb.ptr, m: mb.ptr, v: vb.ptr }, [pRef, m, v], g, n, t);
  }
  expectClose(e.read(mb), m, { atol: 1e-9, rtol: 1e-5 }, "m");
  expectClose(e.read(vb), v, { atol: 1e-11, rtol: 1e-5 }, "v");
  // An update is ≈ lr in size: 1e-7 absolute is 1e-4 of one step (and about one ulp of p).
  expectClose(e.read(pb), pRef, { atol: 1e-7, rtol: 0 }, "p");
  e.free(pb, gb, mb, vb);
}

describe("adam", () => {
  it.each([1, 3, 5, 7, 13, 31, 64, 100])("follows the reference over 20 steps for n = %i", (n) => {
    followsReference(n, n, adamStep);
  });

  it("moves each parameter by ≈ lr·sign(g) on the first step", () => {
    // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps).
    const [pb, gb, mb, vb] = [e.from([0, 1, -2, 5, 0]), e.from([0.5, -3, 1e-3, 0, -1e-6]), e.alloc(5), e.alloc(5),
      e.alloc(5)];
    e.k.adam(pb.ptr, gb.ptr, mb.ptr, vb.ptr, 5, 0.01, B1, B2, EPS, 1);
    expectClose(e.read(pb), [-0.01, 1.01, -2.01, 5, 0.01 * (1e-6 / (1e-6 + 1e-8))], { atol: 2e-8, rtol: 1e-6 }, "p");
    e.free(pb, gb, mb, vb);
  });
});

describe("adamw", () => {
  it.each([0, 1, 3, 5, 7, 13, 31, 64, 100])("follows the reference over 20 steps for n = %i (weight decay 0.1)", (n) => {
    followsReference(n, n + 500, adamwStep);
  });

  it("with weight decay 0 is adam, bit for bit", () => {
    const n = 37;
    const rng = new Rng(9);
    const p = random(rng, n);
    const g = random(rng, n, -0.1, 0.1);
    const [p1, p2, g1, m1, v1, m2, v2] = [e.from(p), e.from(p), e.from(g), e.alloc(n), e.alloc(n), e.alloc(n), e.alloc(n)];
    for (let step = 1; step <= 5; step++) {
      e.k.adam(p1.ptr, g1.ptr, m1.ptr, v1.ptr, n, LR, B1, B2, EPS, step);
      e.k.adamw(p2.ptr, g1.ptr, m2.ptr, v2.ptr, n, LR, B1, B2, EPS, 0, step);
    }
    expect(e.read(p2)).toEqual(e.read(p1));
    e.free(p1, p2, g1, m1, v1, m2, v2);
  });

  it("decays a parameter with zero gradient by (1 − lr·wd) per step", () => {
    const [pb, gb, mb, vb] = [e.from([2, -4]), e.alloc(2), e.alloc(2), e.alloc(2)];
    for (let step = 1; step <= 3; step++) e.k.adamw(pb.ptr, gb.ptr, mb.ptr, vb.ptr, 2, 0.1, B1, B2, EPS, 0.5, step);
    const f = (1 - 0.1 * 0.5) ** 3;
    expectClose(e.read(pb), [2 * f, -4 * f], { atol: 1e-6, rtol: 0 }, "p");
    e.free(pb, gb, mb, vb);
  });
});
