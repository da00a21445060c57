import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { symbolicComposition, symbolicIndependence, symbolicSharing } from "../../src/tasks/symbolic.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { datasetBytes, sameBytes } from "./helpers.ts";

const engine = createEngineSync();
const make = (t: typeof symbolicIndependence, seed: number) => t.make(engine, seed) as Dataset;

/** Recomputes targets with plain JS Math for every row of a split (independent of the WASM sin). */
function recompute(d: Dataset, which: "train" | "test", f: (x: number[]) => number[]): number[] {
  const s = d[which];
  const out: number[] = [];
  for (let r = 0; r < s.n; r++) out.push(...f(Array.from(s.x.subarray(r * d.inputDim, (r + 1) * d.inputDim))));
  return out;
}

describe.each([
  { task: symbolicIndependence, dIn: 4, dOut: 2 },
  { task: symbolicSharing, dIn: 3, dOut: 3 },
  { task: symbolicComposition, dIn: 4, dOut: 1 },
])("$task.name", ({ task, dIn, dOut }) => {
  it(`100 train / 100 test of shape ${dIn} -> ${dOut}, x in [-1, 1)`, () => {
    const d = make(task, 1);
    expect(d.kind).toBe("regression");
    expect([d.inputDim, d.outputDim, d.train.n, d.test.n]).toEqual([dIn, dOut, 100, 100]);
    for (const s of [d.train, d.test]) {
      expect(s.x).toBeInstanceOf(Float32Array);
      expect(s.y).toBeInstanceOf(Float32Array);
      expect(s.x.length).toBe(100 * dIn);
      expect(s.y.length).toBe(100 * dOut);
      expect(Math.min(...s.x)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...s.x)).toBeLessThan(1);
    }
    // Uniform: the mean of 200·dIn draws is near 0 and both halves of the range are used.
    const all = [...d.train.x, ...d.test.x];
    expect(Math.abs(all.reduce((a, b) => a + b, 0) / all.length)).toBeLessThan(0.15);
    expect(Math.min(...all)).toBeLessThan(-0.9);
    expect(Math.max(...all)).toBeGreaterThan(0.9);
    expect(d.inputNames).toHaveLength(dIn);
    expect(d.outputNames).toHaveLength(dOut);
    expect(task.groundTruth).toHaveLength(dOut);
    expect(task.settings.model.shape[0]).toBe(dIn);
    expect(task.settings.model.shape.at(-1)).toBe(dOut);
  });

  it("same seed gives the same bytes, another seed differs", () => {
    const a = datasetBytes(make(task, 7));
    expect(sameBytes(a, datasetBytes(make(task, 7)))).toBe(true);
    expect(sameBytes(a, datasetBytes(task.make(createEngineSync(), 7) as Dataset))).toBe(true);
    expect(sameBytes(a, datasetBytes(make(task, 8)))).toBe(false);
  });
});

describe("symbolic targets, recomputed", () => {
  it("independence: ((x1+x3)^3, x2^2 + sin(pi x4))", () => {
    const d = make(symbolicIndependence, 3);
    for (const which of ["train", "test"] as const) {
      const want = recompute(d, which, ([x1, x2, x3, x4]) => [(x1 + x3) ** 3, x2 ** 2 + Math.sin(Math.PI * x4)]);
      expectClose(d[which].y, want, { atol: 1e-6, rtol: 1e-6 }, which);
    }
  });

  it("sharing: (x1^2, x1^2+x2^2, x1^2+x2^2+x3^2)", () => {
    const d = make(symbolicSharing, 3);
    const want = recompute(d, "train", ([a, b, c]) => [a * a, a * a + b * b, a * a + b * b + c * c]);
    expectClose(d.train.y, want, { atol: 1e-6, rtol: 1e-6 });
  });

  it("composition: sqrt((x1-x2)^2 + (x3-x4)^2)", () => {
    const d = make(symbolicComposition, 3);
    const want = recompute(d, "test", ([a, b, c, e]) => [Math.hypot(a - b, c - e)]);
    expectClose(d.test.y, want, { atol: 1e-6, rtol: 1e-6 });
  });
});

describe("symbolic settings (docs/data.md table)", () => {
  it("independence and sharing: lambda 1e-3, 1e-2 from 5k, 1e-3 from 15k; shared hyper-parameters", () => {
    for (const t of [symbolicIndependence, symbolicSharing]) {
      expect(t.settings.lambda).toEqual([
        { from: 0, value: 1e-3 },
        { from: 5000, value: 1e-2 },
        { from: 15000, value: 1e-3 },
      ]);
    }
    expect(symbolicIndependence.settings.model.shape).toEqual([4, 20, 20, 2]);
    expect(symbolicSharing.settings.model.shape).toEqual([3, 20, 20, 3]);
    expect(symbolicComposition.settings.model.shape).toEqual([4, 20, 20, 20, 20, 1]);
    expect(symbolicComposition.settings.lambda).toEqual([
      { from: 0, value: 1e-3 },
      { from: 5000, value: 3e-3 },
    ]);
    for (const t of [symbolicIndependence, symbolicSharing, symbolicComposition]) {
      const s = t.settings;
      expect([s.loss, s.steps, s.lr, s.weightFactor, s.l0, s.costForm, s.swapEvery, s.topK, s.biasPenaltyFrom])
        .toEqual(["mse", 20000, 2e-3, 1, 0.1, "sum", 200, 5, 0.75]);
      expect([s.batch, s.lastLayerNoDistance, s.swapInputs, s.model.layout, s.model.inFold])
        .toEqual([undefined, false, true, "line", 1]);
    }
  });

  it("ground truth: which inputs each output depends on", () => {
    expect(symbolicIndependence.groundTruth).toEqual([[0, 2], [1, 3]]);
    expect(symbolicSharing.groundTruth).toEqual([[0], [0, 1], [0, 1, 2]]);
    expect(symbolicComposition.groundTruth).toEqual([[0, 1, 2, 3]]);
  });
});
