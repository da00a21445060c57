// assembly/layernorm.ts against src/engine/reference/layernorm.ts on odd shapes, and the reference's
// backward against central finite differences of its forward in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { layerNormBackwardRef, layerNormForwardRef } from "../../src/engine/reference/layernorm.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { finiteDiff, randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const EPS = 1e-5;
const SHAPES: [number, number][] = [[0, 5], [1, 1], [1, 3], [3, 5], [7, 13], [2, 31], [5, 64], [100, 128], [4, 8], [9, 130]];

const random = (rng: Rng, n: number, lo = -2, hi = 2): Float32Array => randomF32(rng, n, lo, hi);

describe("layerNormForward", () => {
  it.each(SHAPES)("matches the reference for (%i,%i), also in place", (rows, d) => {
    const rng = new Rng(rows * 100 + d);
    const x = random(rng, rows * d, -3, 5); // off-centre rows: the mean matters
    const [g, b] = [random(rng, d), random(rng, d)];
    const [y, mean, rstd] = [new Float32Array(rows * d), new Float32Array(rows), new Float32Array(rows)];
    layerNormForwardRef(y, x, g, b, mean, rstd, rows, d, EPS);
    const [xb, gb, bb, yb, mb, rb] = [e.from(x), e.from(g), e.from(b), e.alloc(rows * d), e.alloc(rows), e.alloc(rows)];
    e.k.layerNormForward(yb.ptr, xb.ptr, gb.ptr, bb.ptr, mb.ptr, rb.ptr, rows, d, EPS);
    expectClose(e.read(yb), y, { atol: 1e-5, rtol: 1e-5 }, "y");
    expectClose(e.read(mb), mean, { atol: 1e-6, rtol: 1e-6 }, "mean");
    expectClose(e.read(rb), rstd, { atol: 0, rtol: 1e-5 }, "rstd");
    e.k.layerNormForward(xb.ptr, xb.ptr, gb.ptr, bb.ptr, mb.ptr, rb.ptr, rows, d, EPS);
    expectClose(e.read(xb), e.read(yb), { atol: 0, rtol: 0 }, "in place");
    e.free(xb, gb, bb, yb, mb, rb);
  });

  it("normalises a hand-worked row: x = [1, 2, 3], g = 1, b = 0", () => {
    const [xb, gb, bb, yb, mb, rb] = [e.from([1, 2, 3]), e.from([1, 1, 1]), e.alloc(3), e.alloc(3), e.alloc(1), e.alloc(1)];
    e.k.layerNormForward(yb.ptr, xb.ptr, gb.ptr, bb.ptr, mb.ptr, rb.ptr, 1, 3, 0);
    const s = Math.sqrt(3 / 2); // σ² = 2/3
    expectClose(e.read(yb), [-s, 0, s], { atol: 1e-6 }, "y");
    expect(e.read(mb)[0]).toBe(2);
    e.free(xb, gb, bb, yb, mb, rb);
  });
});

describe("layerNormBackward", () => {
  it("reference equals central finite differences of the reference forward (f64), for x, g and b", () => {
    const [rows, d] = [3, 7];
    const rng = new Rng(5);
    const x = Float64Array.from(random(rng, rows * d));
    const g = Float64Array.from(random(rng, d));
    const b = Float64Array.from(random(rng, d));
    const w = Float64Array.from(random(rng, rows * d)); // loss = Σ w ⊙ y
    const loss = () => {
      const y = new Float64Array(rows * d);
      layerNormForwardRef(y, x, g, b, new Float64Array(rows), new Float64Array(rows), rows, d, EPS);
      return y.reduce((s, v, i) => s + v * w[i], 0);
    };
    const [mean, rstd] = [new Float64Array(rows), new Float64Array(rows)];
    layerNormForwardRef(new Float64Array(rows * d), x, g, b, mean, rstd, rows, d, EPS);
    const [dx, dg, db] = [new Float64Array(rows * d), new Float64Array(d), new Float64Array(d)];
    layerNormBackwardRef(dx, w, x, g, mean, rstd, dg, db, rows, d, 0);
    const fd = (a: Float64Array) => finiteDiff(a, loss);
    expectClose(dx, fd(x), { atol: 1e-7, rtol: 1e-6 }, "dx");
    expectClose(dg, fd(g), { atol: 1e-7, rtol: 1e-6 }, "dg");
    expectClose(db, fd(b), { atol: 1e-7, rtol: 1e-6 }, "db");
  });

  it.each(SHAPES)("matches the reference for (%i,%i), written and accumulated", (rows, d) => {
    const rng = new Rng(rows * 31 + d);
    const x = random(rng, rows * d, -3, 5);
    const [g, b, dy] = [random(rng, d), random(rng, d), random(rng, rows * d)];
    const [mean, rstd] = [new Float32Array(rows), new Float32Array(rows)];
    layerNormForwardRef(new Float32Array(rows * d), x, g, b, mean, rstd, rows, d, EPS);
    const start = random(rng, rows * d);
    const [dx, dg, db] = [new Float32Array(rows * d), new Float32Array(d), new Float32Array(d)];
    layerNormBackwardRef(dx, dy, x, g, mean, rstd, dg, db, rows, d, 0);
    const dxAcc = start.slice();
    layerNormBackwardRef(dxAcc, dy, x, g, mean, rstd, new Float32Array(d), new Float32Array(d), rows, d, 1);
    const [xb, gb, mb, rb, dyb] = [e.from(x), e.from(g), e.from(mean), e.from(rstd), e.from(dy)];
    const [dxb, dgb, dbb] = [e.from(random(rng, rows * d)), e.from(random(rng, d)), e.from(random(rng, d))];
    e.k.layerNormBackward(dxb.ptr, dyb.ptr, xb.ptr, gb.ptr, mb.ptr, rb.ptr, dgb.ptr, dbb.ptr, rows, d, 0);
    const tol = { atol: 2e-5, rtol: 1e-4 }; // dx is a difference of O(d) sums
    expectClose(e.read(dxb), dx, tol, "dx");
    expectClose(e.read(dgb), dg, { atol: 1e-5, rtol: 1e-5 }, "dg");
    expectClose(e.read(dbb), db, { atol: 1e-5, rtol: 1e-5 }, "db");
    e.write(dxb, start);
    e.k.layerNormBackward(dxb.ptr, dyb.ptr, xb.ptr, gb.ptr, mb.ptr, rb.ptr, dgb.ptr, dbb.ptr, rows, d, 1);
    expectClose(e.read(dxb), dxAcc, tol, "dx accumulated");
    e.free(xb, gb, mb, rb, dyb, dxb, dgb, dbb);
  });
});
