// assembly/seq-loss.ts against src/engine/reference/seq-loss.ts: losses over chosen positions, with
// ignored rows; the reference gradients against central finite differences in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { softmaxCrossEntropyRef } from "../../src/engine/reference/loss.ts";
import { maskedCrossEntropyRef, maskedMseRef } from "../../src/engine/reference/seq-loss.ts";
import { expectClose, expectScalarClose } from "../helpers/expect-close.ts";
import { randomF32, finiteDiff } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const SHAPES: [number, number][] = [[0, 3], [1, 1], [1, 3], [3, 5], [7, 13], [2, 31], [24, 32], [100, 10], [13, 100], [64, 2]];
const LOSS_TOL = { atol: 1e-12, rtol: 1e-7 }; // f64 sums; each exp is the module's (within 2 ulp of f32 exp)
const GRAD_TOL = { atol: 1e-9, rtol: 1e-5 };

const random = (rng: Rng, n: number, lo = -2, hi = 2): Float32Array => randomF32(rng, n, lo, hi);


describe("maskedCrossEntropy", () => {
  it("reference gradient equals finite differences", () => {
    const rng = new Rng(1);
    const [rows, N] = [5, 4];
    const x = Float64Array.from(random(rng, rows * N));
    const labels = Int32Array.from([2, -1, 0, 3, -1]);
    const g = new Float64Array(rows * N);
    maskedCrossEntropyRef(x, labels, g, rows, N, 0.5);
    const fd = finiteDiff(x, (v) => 0.5 * maskedCrossEntropyRef(v, labels, null, rows, N, 1));
    expectClose(g, fd, { atol: 1e-8, rtol: 1e-6 }, "grad vs fd");
  });

  it("with every row counted, equals the plain softmax cross-entropy", () => {
    const rng = new Rng(2);
    const [rows, N] = [7, 9];
    const x = Float64Array.from(random(rng, rows * N));
    const labels = Int32Array.from({ length: rows }, () => rng.int(N));
    const [g1, g2] = [new Float64Array(rows * N), new Float64Array(rows * N)];
    expect(maskedCrossEntropyRef(x, labels, g1, rows, N, 1)).toBeCloseTo(softmaxCrossEntropyRef(x, labels, g2, rows, N, 1), 12);
    expectClose(g1, g2, { atol: 1e-15 }, "same gradient");
  });

  it.each(SHAPES)("matches the reference for (%i,%i), about a third of the rows ignored", (rows, N) => {
    const rng = new Rng(rows * 7 + N);
    const x = random(rng, rows * N, -4, 4);
    const labels = Int32Array.from({ length: rows }, () => (rng.uniform() < 0.35 ? -1 : rng.int(N)));
    const want = new Float32Array(rows * N);
    const wantLoss = maskedCrossEntropyRef(x, labels, want, rows, N, 3);
    const [xb, lb, gb] = [e.from(x), e.from(labels, "i32"), e.from(random(rng, rows * N))];
    expectScalarClose(e.k.maskedCrossEntropy(xb.ptr, lb.ptr, gb.ptr, rows, N, 3), wantLoss, LOSS_TOL, "loss");
    expectClose(e.read(gb), want, GRAD_TOL, "grad");
    expectScalarClose(e.k.maskedCrossEntropy(xb.ptr, lb.ptr, 0, rows, N, 3), wantLoss, LOSS_TOL, "loss only");
    e.k.maskedCrossEntropy(xb.ptr, lb.ptr, xb.ptr, rows, N, 3); // in place
    expectClose(e.read(xb), want, GRAD_TOL, "grad in place");
    e.free(xb, lb, gb);
  });

  it("gives 0 and a zero gradient when every row is ignored", () => {
    const [xb, lb, gb] = [e.from([1, 2, 3, 4]), e.from([-1, -1], "i32"), e.from([9, 9, 9, 9])];
    expect(e.k.maskedCrossEntropy(xb.ptr, lb.ptr, gb.ptr, 2, 2, 1)).toBe(0);
    expect(Array.from(e.read(gb))).toEqual([0, 0, 0, 0]);
    e.free(xb, lb, gb);
  });

  it("computes a hand-worked case", () => {
    // rows: [0, 0] label 1 → log 2; [5, 5] ignored. Mean over one row: log 2.
    const [xb, lb, gb] = [e.from([0, 0, 5, 5]), e.from([1, -1], "i32"), e.alloc(4)];
    expect(e.k.maskedCrossEntropy(xb.ptr, lb.ptr, gb.ptr, 2, 2, 1)).toBeCloseTo(Math.LN2, 7);
    expectClose(e.read(gb), [0.5, -0.5, 0, 0], { atol: 1e-7 }, "grad");
    e.free(xb, lb, gb);
  });
});

describe("maskedMse", () => {
  it("reference gradient equals finite differences", () => {
    const rng = new Rng(3);
    const [rows, N] = [4, 3];
    const y = Float64Array.from(random(rng, rows * N));
    const t = Float64Array.from(random(rng, rows * N));
    const mask = Int32Array.from([1, 0, 1, 1]);
    const g = new Float64Array(rows * N);
    maskedMseRef(y, t, mask, g, rows, N, 2, 2);
    const fd = finiteDiff(y, (v) => 2 * maskedMseRef(v, t, mask, null, rows, N, 2, 1));
    expectClose(g, fd, { atol: 1e-8, rtol: 1e-6 }, "grad vs fd");
  });

  it.each(SHAPES)("matches the reference for (%i,%i), about half the rows counted, all and some columns", (rows, N) => {
    for (const cols of new Set([N, Math.max(1, N - 5), 1])) {
      const rng = new Rng(rows * 13 + N + cols);
      const [y, t] = [random(rng, rows * N), random(rng, rows * N)];
      const mask = Int32Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? 1 : 0));
      const want = new Float32Array(rows * N);
      const wantLoss = maskedMseRef(y, t, mask, want, rows, N, cols, 0.5);
      const [yb, tb, mb, gb] = [e.from(y), e.from(t), e.from(mask, "i32"), e.from(random(rng, rows * N))];
      expectScalarClose(e.k.maskedMse(yb.ptr, tb.ptr, mb.ptr, gb.ptr, rows, N, cols, 0.5), wantLoss, LOSS_TOL, `loss, ${cols} columns`);
      expectClose(e.read(gb), want, GRAD_TOL, `grad, ${cols} columns`);
      expectScalarClose(e.k.maskedMse(yb.ptr, tb.ptr, mb.ptr, 0, rows, N, cols, 0.5), wantLoss, LOSS_TOL, "loss only");
      e.free(yb, tb, mb, gb);
    }
  });

  it("computes a hand-worked case: only row 1 counts; then only its first column", () => {
    const [yb, tb, mb, gb] = [e.from([9, 9, 1, 3]), e.from([0, 0, 0, 1]), e.from([0, 1], "i32"), e.alloc(4)];
    expect(e.k.maskedMse(yb.ptr, tb.ptr, mb.ptr, gb.ptr, 2, 2, 2, 1)).toBeCloseTo((1 + 4) / 2, 12);
    expectClose(e.read(gb), [0, 0, 1, 2], { atol: 1e-7 }, "grad");
    expect(e.k.maskedMse(yb.ptr, tb.ptr, mb.ptr, gb.ptr, 2, 2, 1, 1)).toBeCloseTo(1, 12);
    expectClose(e.read(gb), [0, 0, 2, 0], { atol: 1e-7 }, "grad, one column");
    e.free(yb, tb, mb, gb);
  });
});
