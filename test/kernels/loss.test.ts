// assembly/loss.ts against src/engine/reference/loss.ts; the reference gradients against central
// finite differences in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import {
  countCorrectRef,
  mseLossRef,
  mseOneHotLossRef,
  softmaxCrossEntropyRef,
} from "../../src/engine/reference/loss.ts";
import { expectClose, expectScalarClose } from "../helpers/expect-close.ts";
import { randomF32, finiteDiff } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const SHAPES: [number, number][] = [[1, 1], [1, 3], [3, 5], [7, 13], [2, 31], [5, 64], [100, 10], [13, 100]];
const LOSS_TOL = { atol: 1e-12, rtol: 1e-9 }; // f64 sums over f32 inputs: only the order differs
const GRAD_TOL = { atol: 1e-9, rtol: 1e-5 }; // f32 gradients

const random = (rng: Rng, n: number, lo = -2, hi = 2): Float32Array => randomF32(rng, n, lo, hi);

function labelsFor(rng: Rng, B: number, N: number): Int32Array {
  return Int32Array.from({ length: B }, () => rng.int(N));
}


describe("mseLoss", () => {
  it("reference gradient equals finite differences", () => {
    const rng = new Rng(1);
    const n = 13;
    const y = Float64Array.from(random(rng, n));
    const t = Float64Array.from(random(rng, n));
    const dy = new Float64Array(n);
    mseLossRef(y, t, dy, n, 0.5);
    const fd = finiteDiff(y, (x) => 0.5 * mseLossRef(x, t, null, n, 1));
    expectClose(dy, fd, { atol: 1e-8, rtol: 1e-6 }, "mse grad vs fd");
  });

  it.each([1, 3, 5, 7, 13, 31, 64, 100, 1000])("matches the reference for n = %i", (n) => {
    const rng = new Rng(n);
    const y = random(rng, n);
    const t = random(rng, n);
    const want = new Float32Array(n);
    const wantLoss = mseLossRef(y, t, want, n, 3);
    const [yb, tb, db] = [e.from(y), e.from(t), e.alloc(n)];
    expectScalarClose(e.k.mseLoss(yb.ptr, tb.ptr, db.ptr, n, 3), wantLoss, LOSS_TOL, "mse");
    expectClose(e.read(db), want, GRAD_TOL, "mse grad");
    expectScalarClose(e.k.mseLoss(yb.ptr, tb.ptr, 0, n, 3), wantLoss, LOSS_TOL, "mse without grad");
    e.free(yb, tb, db);
  });

  it("computes a hand-worked case", () => {
    const [yb, tb, db] = [e.from([1, 2, 3]), e.from([1, 0, 0]), e.alloc(3)];
    expect(e.k.mseLoss(yb.ptr, tb.ptr, db.ptr, 3, 1)).toBeCloseTo(13 / 3, 12);
    expectClose(e.read(db), [0, 4 / 3, 2], { atol: 1e-7 }, "mse grad");
    e.free(yb, tb, db);
  });
});

describe("mseOneHotLoss", () => {
  it("reference gradient equals finite differences", () => {
    const rng = new Rng(2);
    const [B, N] = [3, 5];
    const y = Float64Array.from(random(rng, B * N));
    const labels = labelsFor(rng, B, N);
    const dy = new Float64Array(B * N);
    mseOneHotLossRef(y, labels, dy, B, N, 2);
    const fd = finiteDiff(y, (x) => 2 * mseOneHotLossRef(x, labels, null, B, N, 1));
    expectClose(dy, fd, { atol: 1e-8, rtol: 1e-6 }, "one-hot mse grad vs fd");
  });

  it.each(SHAPES)("matches the reference and mseLoss on explicit one-hot targets for (%i,%i)", (B, N) => {
    const rng = new Rng(B * 31 + N);
    const y = random(rng, B * N);
    const labels = labelsFor(rng, B, N);
    const want = new Float32Array(B * N);
    const wantLoss = mseOneHotLossRef(y, labels, want, B, N, 1);
    const [yb, lb, db] = [e.from(y), e.from(labels, "i32"), e.alloc(B * N)];
    expectScalarClose(e.k.mseOneHotLoss(yb.ptr, lb.ptr, db.ptr, B, N, 1), wantLoss, LOSS_TOL, "one-hot mse");
    expectClose(e.read(db), want, GRAD_TOL, "one-hot mse grad");
    const onehot = new Float32Array(B * N);
    labels.forEach((l, r) => (onehot[r * N + l] = 1));
    const tb = e.from(onehot);
    expectScalarClose(e.k.mseLoss(yb.ptr, tb.ptr, 0, B * N, 1), wantLoss, LOSS_TOL, "vs explicit targets");
    e.k.mseOneHotLoss(yb.ptr, lb.ptr, yb.ptr, B, N, 1); // in place: dy = y
    expectClose(e.read(yb), want, GRAD_TOL, "one-hot mse grad in place");
    e.free(yb, lb, db, tb);
  });
});

describe("softmaxCrossEntropy", () => {
  it("reference gradient equals finite differences", () => {
    const rng = new Rng(3);
    const [B, N] = [4, 7];
    const x = Float64Array.from(random(rng, B * N, -4, 4));
    const labels = labelsFor(rng, B, N);
    const dx = new Float64Array(B * N);
    softmaxCrossEntropyRef(x, labels, dx, B, N, 1.5);
    const fd = finiteDiff(x, (v) => 1.5 * softmaxCrossEntropyRef(v, labels, null, B, N, 1));
    expectClose(dx, fd, { atol: 1e-8, rtol: 1e-6 }, "ce grad vs fd");
  });

  it.each(SHAPES)("matches the reference for (%i,%i), also in place", (B, N) => {
    const rng = new Rng(B * 17 + N);
    const x = random(rng, B * N, -10, 10);
    const labels = labelsFor(rng, B, N);
    const want = new Float32Array(B * N);
    const wantLoss = softmaxCrossEntropyRef(x, labels, want, B, N, 1);
    const [xb, lb, db] = [e.from(x), e.from(labels, "i32"), e.alloc(B * N)];
    // exp is f32 in the kernel, f64 in the reference
    const lossTol = { atol: 1e-6, rtol: 1e-6 };
    expectScalarClose(e.k.softmaxCrossEntropy(xb.ptr, lb.ptr, db.ptr, B, N, 1), wantLoss, lossTol, "ce");
    expectClose(e.read(db), want, { atol: 1e-7, rtol: 1e-5 }, "ce grad");
    expectScalarClose(e.k.softmaxCrossEntropy(xb.ptr, lb.ptr, xb.ptr, B, N, 1), wantLoss, lossTol, "ce in place");
    expectClose(e.read(xb), want, { atol: 1e-7, rtol: 1e-5 }, "ce grad in place");
    e.free(xb, lb, db);
  });

  it("stays finite for huge logits and matches the hand-worked value", () => {
    // Row 0: logits (1000, 0): loss ≈ 0 for label 0. Row 1: (0, 0): loss = log 2.
    const [xb, lb, db] = [e.from([1000, 0, 0, 0]), e.from([0, 1], "i32"), e.alloc(4)];
    const loss = e.k.softmaxCrossEntropy(xb.ptr, lb.ptr, db.ptr, 2, 2, 1);
    expect(loss).toBeCloseTo(Math.log(2) / 2, 7);
    expectClose(e.read(db), [0, 0, 0.25, -0.25], { atol: 1e-7 }, "ce grad");
    e.free(xb, lb, db);
  });
});

describe("countCorrect", () => {
  it("counts a hand-worked batch, first maximum on ties", () => {
    const logits = [
      0.1, 0.7, 0.2, // argmax 1, label 1: correct
      0.5, 0.5, 0.1, // tie → 0, label 1: wrong
      0.5, 0.5, 0.1, // tie → 0, label 0: correct
      -3, -2, -1, // argmax 2, label 0: wrong
    ];
    const [xb, lb] = [e.from(logits), e.from([1, 1, 0, 0], "i32")];
    expect(e.k.countCorrect(xb.ptr, lb.ptr, 4, 3)).toBe(2);
    e.free(xb, lb);
  });

  it.each(SHAPES)("matches the reference for (%i,%i)", (B, N) => {
    const rng = new Rng(B + 1000 * N);
    const x = random(rng, B * N);
    const labels = labelsFor(rng, B, N);
    const [xb, lb] = [e.from(x), e.from(labels, "i32")];
    expect(e.k.countCorrect(xb.ptr, lb.ptr, B, N)).toBe(countCorrectRef(x, labels, B, N));
    e.free(xb, lb);
  });
});
