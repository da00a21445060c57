import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { makeMoons, twoMoons } from "../../src/tasks/two-moons.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { datasetBytes, sameBytes } from "./helpers.ts";

const engine = createEngineSync();
const make = (seed: number) => twoMoons.make(engine, seed) as Dataset;

describe("two-moons", () => {
  it("200 train / 200 test points in 2-D, labels 0/1, exactly balanced", () => {
    const d = make(0);
    expect([d.kind, d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual(["classification", 2, 2, 200, 200]);
    for (const s of [d.train, d.test]) {
      expect(s.x).toBeInstanceOf(Float32Array);
      expect(s.y).toBeInstanceOf(Int32Array);
      expect(s.x.length).toBe(400);
      expect([...s.y].every((v) => v === 0 || v === 1)).toBe(true);
      expect([...s.y].filter((v) => v === 1).length).toBe(100);
    }
  });

  it("is shuffled: the labels are not one block of 0s then 1s", () => {
    const y = [...make(0).train.y];
    let changes = 0;
    for (let i = 1; i < y.length; i++) if (y[i] !== y[i - 1]) changes++;
    expect(changes).toBeGreaterThan(50);
  });

  it("same seed gives the same bytes, another seed differs", () => {
    expect(sameBytes(datasetBytes(make(5)), datasetBytes(make(5)))).toBe(true);
    expect(sameBytes(datasetBytes(make(5)), datasetBytes(make(6)))).toBe(false);
  });

  it("without noise the points lie on the two half circles of make_moons", () => {
    const s = makeMoons(engine, new Rng(1), 10, 0);
    for (let r = 0; r < s.n; r++) {
      const [px, py] = [s.x[2 * r], s.x[2 * r + 1]];
      // outer: unit circle around (0, 0), upper half; inner: unit circle around (1, 0.5), lower half.
      const [cx, cy] = s.y[r] === 0 ? [0, 0] : [1, 0.5];
      expect(Math.hypot(px - cx, py - cy)).toBeCloseTo(1, 6);
      expect(s.y[r] === 0 ? py >= -1e-7 : py <= 0.5 + 1e-7).toBe(true);
    }
    // t evenly spaced with endpoints: both ends of the outer arc, (1, 0) and (-1, 0), are present.
    const outer = [...Array(s.n).keys()].filter((r) => s.y[r] === 0).map((r) => s.x[2 * r]);
    expect(Math.max(...outer)).toBeCloseTo(1, 6);
    expect(Math.min(...outer)).toBeCloseTo(-1, 6);
  });

  it("noise has standard deviation about 0.1 around the curves", () => {
    const s = makeMoons(engine, new Rng(2), 2000, 0.1);
    let sq = 0;
    for (let r = 0; r < s.n; r++) {
      const [cx, cy] = s.y[r] === 0 ? [0, 0] : [1, 0.5];
      sq += (Math.hypot(s.x[2 * r] - cx, s.x[2 * r + 1] - cy) - 1) ** 2;
    }
    // The radial residual of 2-D isotropic noise has variance ≈ σ² (for σ ≪ radius).
    expect(Math.sqrt(sq / s.n)).toBeGreaterThan(0.08);
    expect(Math.sqrt(sq / s.n)).toBeLessThan(0.12);
  });

  it("reference settings (docs/data.md table)", () => {
    const s = twoMoons.settings;
    expect(s.model).toEqual({ shape: [2, 20, 20, 2], layout: "line", inFold: 1 });
    expect([s.loss, s.steps, s.lr, s.weightFactor, s.l0, s.costForm, s.swapEvery, s.topK])
      .toEqual(["ce", 10000, 2e-3, 1, 0.2, "sum", 200, 10]);
    expect(s.lambda).toEqual([{ from: 0, value: 1e-3 }, { from: 5000, value: 1e-2 }]);
    expect([s.batch, s.biasPenaltyFrom, s.lastLayerNoDistance, s.swapInputs])
      .toEqual([undefined, undefined, false, true]);
  });
});
