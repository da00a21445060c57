// assembly/cost.ts against src/engine/reference/cost.ts; the reference gradient against central
// finite differences in f64 (weights kept away from 0, where |w| has no derivative).
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { l1CostConstRef, l1CostRef } from "../../src/engine/reference/cost.ts";
import { expectClose, expectScalarClose } from "../helpers/expect-close.ts";
import { finiteDiff } from "../helpers/finite-diff.ts";

const e = createEngineSync();
const SIZES = [1, 3, 5, 7, 13, 31, 64, 100, 7850];
const COST_TOL = { atol: 1e-12, rtol: 1e-6 }; // kernel products are f32, reference products f64
const GRAD_TOL = { atol: 1e-7, rtol: 1e-6 };

/** Weights in ±[0.01, 1], distances in [0, 2]. */
function layer(rng: Rng, n: number): { w: Float32Array; d: Float32Array; g: Float32Array } {
  const w = Float32Array.from({ length: n }, () => (rng.int(2) ? 1 : -1) * rng.range(0.01, 1));
  const d = Float32Array.from({ length: n }, () => rng.range(0, 2));
  const g = Float32Array.from({ length: n }, () => rng.range(-1, 1));
  return { w, d, g };
}


describe("l1Cost", () => {
  it("reference gradient equals finite differences", () => {
    const { w, d } = layer(new Rng(1), 31);
    const w64 = Float64Array.from(w);
    const d64 = Float64Array.from(d);
    const g = new Float64Array(31);
    l1CostRef(w64, d64, g, 31, 0.7);
    const fd = finiteDiff(w64, (x) => 0.7 * l1CostRef(x, d64, null, 31, 0));
    expectClose(g, fd, { atol: 1e-8, rtol: 1e-6 }, "l1 grad vs fd");
  });

  it.each(SIZES)("matches the reference for n = %i", (n) => {
    const { w, d, g } = layer(new Rng(n), n);
    const want = g.slice();
    const wantCost = l1CostRef(w, d, want, n, 0.3);
    const [wb, db, gb] = [e.from(w), e.from(d), e.from(g)];
    expectScalarClose(e.k.l1Cost(wb.ptr, db.ptr, gb.ptr, n, 0.3), wantCost, COST_TOL, "l1 cost");
    expectClose(e.read(gb), want, GRAD_TOL, "l1 grad");
    e.free(wb, db, gb);
  });

  it("uses sign(0) = 0 and leaves g alone without a gradient scale or pointer", () => {
    const [wb, db, gb] = [e.from([0, -0, 2, -3, 0]), e.from([1, 1, 0.5, 2, 4]), e.from([1, 1, 1, 1, 1])];
    expect(e.k.l1Cost(wb.ptr, db.ptr, gb.ptr, 5, 0)).toBe(7);
    expect(Array.from(e.read(gb))).toEqual([1, 1, 1, 1, 1]);
    expect(e.k.l1Cost(wb.ptr, db.ptr, 0, 5, 1)).toBe(7);
    e.k.l1Cost(wb.ptr, db.ptr, gb.ptr, 5, 2);
    expect(Array.from(e.read(gb))).toEqual([1, 1, 2, -3, 1]);
    e.free(wb, db, gb);
  });
});

describe("l1CostConst", () => {
  it("reference gradient equals finite differences", () => {
    const w64 = Float64Array.from(layer(new Rng(2), 13).w);
    const g = new Float64Array(13);
    l1CostConstRef(w64, 0.5, g, 13, 2);
    const fd = finiteDiff(w64, (x) => 2 * l1CostConstRef(x, 0.5, null, 13, 0));
    expectClose(g, fd, { atol: 1e-8, rtol: 1e-6 }, "l1 const grad vs fd");
  });

  it.each(SIZES)("matches the reference and l1Cost with a constant d for n = %i", (n) => {
    const { w, g } = layer(new Rng(100 + n), n);
    const c = 0.25;
    const want = g.slice();
    const wantCost = l1CostConstRef(w, c, want, n, 1.5);
    const [wb, gb, db] = [e.from(w), e.from(g), e.from(new Float32Array(n).fill(c))];
    expectScalarClose(e.k.l1CostConst(wb.ptr, c, gb.ptr, n, 1.5), wantCost, COST_TOL, "l1 const cost");
    expectClose(e.read(gb), want, GRAD_TOL, "l1 const grad");
    expectScalarClose(e.k.l1Cost(wb.ptr, db.ptr, 0, n, 0), wantCost, COST_TOL, "vs l1Cost");
    e.free(wb, gb, db);
  });
});
