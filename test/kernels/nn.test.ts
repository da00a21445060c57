// assembly/nn.ts against src/engine/reference/nn.ts, and the SiLU derivative against central
// finite differences of the f64 reference.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { addBiasRef, colSumRef, siluBackwardRef, siluForwardRef } from "../../src/engine/reference/nn.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomF32 } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const SIZES = [1, 3, 5, 7, 13, 31, 64, 100];
const SHAPES: [number, number][] = [[1, 1], [3, 5], [7, 13], [2, 31], [13, 64], [100, 100], [5, 7], [4, 8]];

const random = (rng: Rng, n: number, lo = -3, hi = 3): Float32Array => randomF32(rng, n, lo, hi);

describe("addBias", () => {
  it.each(SHAPES)("matches the reference for (%i,%i)", (B, N) => {
    const rng = new Rng(B * 1000 + N);
    const z = random(rng, B * N);
    const b = random(rng, N);
    const zb = e.from(z);
    const bb = e.from(b);
    e.k.addBias(zb.ptr, bb.ptr, B, N);
    addBiasRef(z, b, B, N);
    expectClose(e.read(zb), z, { atol: 0, rtol: 0 }, "addBias"); // one f32 add each: same bits
    e.free(zb, bb);
  });
});

describe("siluForward", () => {
  it.each(SIZES)("matches the reference for n = %i", (n) => {
    const z = random(new Rng(n), n, -8, 8);
    const zb = e.from(z);
    const ab = e.alloc(n);
    e.k.siluForward(zb.ptr, ab.ptr, n);
    const want = new Float32Array(n);
    siluForwardRef(z, want, n);
    expectClose(e.read(ab), want, { atol: 1e-7, rtol: 1e-6 }, "silu");
    e.free(zb, ab);
  });

  it("saturates without NaN: silu(−100) = 0, silu(100) = 100, silu(0) = 0", () => {
    const zb = e.from([-100, 100, 0, -1e30]);
    e.k.siluForward(zb.ptr, zb.ptr, 4); // in place
    expectClose(e.read(zb), [0, 100, 0, 0], { atol: 1e-30, rtol: 0 }, "silu extremes");
    e.free(zb);
  });
});

describe("siluBackward", () => {
  it("reference equals central finite differences of silu in f64", () => {
    const n = 31;
    const z = Float64Array.from(random(new Rng(7), n, -6, 6));
    const da = Float64Array.from(random(new Rng(8), n));
    const dz = new Float64Array(n);
    siluBackwardRef(dz, da, z, n);
    const h = 1e-6;
    const fd = new Float64Array(n);
    const plus = new Float64Array(n);
    const minus = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const zp = z.slice();
      const zm = z.slice();
      zp[i] += h;
      zm[i] -= h;
      siluForwardRef(zp, plus, n);
      siluForwardRef(zm, minus, n);
      fd[i] = (da[i] * (plus[i] - minus[i])) / (2 * h);
    }
    expectClose(dz, fd, { atol: 1e-8, rtol: 1e-6 }, "silu' vs finite differences");
  });

  it.each(SIZES)("matches the reference for n = %i, also in place (dz = da)", (n) => {
    const rng = new Rng(100 + n);
    const z = random(rng, n, -8, 8);
    const da = random(rng, n);
    const want = new Float32Array(n);
    siluBackwardRef(want, da, z, n);
    const zb = e.from(z);
    const dab = e.from(da);
    const dzb = e.alloc(n);
    e.k.siluBackward(dzb.ptr, dab.ptr, zb.ptr, n);
    expectClose(e.read(dzb), want, { atol: 1e-6, rtol: 1e-5 }, "silu backward");
    e.k.siluBackward(dab.ptr, dab.ptr, zb.ptr, n);
    expectClose(e.read(dab), want, { atol: 1e-6, rtol: 1e-5 }, "silu backward in place");
    e.free(zb, dab, dzb);
  });
});

describe("colSum", () => {
  it.each(SHAPES)("matches the reference for (%i,%i), fresh and accumulating", (B, N) => {
    const rng = new Rng(7 * B + N);
    const src = random(rng, B * N);
    const start = random(rng, N);
    const sb = e.from(src);
    const db = e.from(start);
    e.k.colSum(db.ptr, sb.ptr, B, N, false);
    const fresh = start.slice();
    colSumRef(fresh, src, B, N, false);
    expectClose(e.read(db), fresh, { atol: 1e-6, rtol: 1e-6 }, "colSum");
    e.write(db, start);
    e.k.colSum(db.ptr, sb.ptr, B, N, true);
    const acc = start.slice();
    colSumRef(acc, src, B, N, true);
    expectClose(e.read(db), acc, { atol: 1e-6, rtol: 1e-6 }, "colSum accumulate");
    e.free(sb, db);
  });

  it("sums a hand-worked 2×3 matrix", () => {
    const sb = e.from([1, 2, 3, 10, 20, 30]);
    const db = e.from([100, 100, 100]);
    e.k.colSum(db.ptr, sb.ptr, 2, 3, true);
    expect(Array.from(e.read(db))).toEqual([111, 122, 133]);
    e.free(sb, db);
  });
});
