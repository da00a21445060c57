import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { composeS4, modularAddition, permutationS4, S4 } from "../../src/tasks/algorithmic.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { datasetBytes, sameBytes } from "./helpers.ts";

const engine = createEngineSync();
const make = (t: typeof modularAddition, seed: number) => t.make(engine, seed) as Dataset;

/** Every (a, b) pair of train ∪ test, counted. */
function pairCounts(d: Dataset): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of [d.train, d.test]) {
    for (let r = 0; r < s.n; r++) {
      const k = `${s.x[2 * r]},${s.x[2 * r + 1]}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return m;
}

/** σ as an array, applied by hand: (σa∘σb)(k) = σa[σb[k]]. */
const apply = (p: readonly number[], k: number) => p[k];

describe.each([
  { task: modularAddition, tokens: 59, nTrain: 2784 },
  { task: permutationS4, tokens: 24, nTrain: 460 },
])("$task.name", ({ task, tokens, nTrain }) => {
  it("all tokens² pairs exactly once across train + test, floor(80%) train", () => {
    const d = make(task, 0);
    expect([d.kind, d.inputDim, d.outputDim, d.tokens]).toEqual(["classification", 2, tokens, tokens]);
    expect([d.train.n, d.test.n]).toEqual([nTrain, tokens * tokens - nTrain]);
    for (const s of [d.train, d.test]) {
      expect(s.x).toBeInstanceOf(Int32Array);
      expect(s.y).toBeInstanceOf(Int32Array);
      expect([s.x.length, s.y.length]).toEqual([2 * s.n, s.n]);
      expect([...s.x, ...s.y].every((v) => v >= 0 && v < tokens)).toBe(true);
    }
    const counts = pairCounts(d);
    expect(counts.size).toBe(tokens * tokens);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
  });

  it("same seed gives the same bytes and split, another seed a different split", () => {
    expect(sameBytes(datasetBytes(make(task, 3)), datasetBytes(make(task, 3)))).toBe(true);
    expect(sameBytes(datasetBytes(make(task, 3)), datasetBytes(make(task, 4)))).toBe(false);
  });

  it("settings: embedding tokens × 32, shape 64,50,50,tokens, inFold 2, CE, mean cost, top_k 30", () => {
    const s = task.settings;
    expect(s.model).toEqual({ shape: [64, 50, 50, tokens], layout: "line", inFold: 2, embed: { tokens, dim: 32 } });
    expect([s.loss, s.steps, s.l0, s.costForm, s.swapEvery, s.topK, s.batch])
      .toEqual(["ce", 20000, 0.5, "mean", 200, 30, undefined]);
    expect([s.lastLayerNoDistance, s.biasPenaltyFrom, s.swapInputs]).toEqual([false, undefined, true]);
  });
});

describe("modular-addition", () => {
  it("labels are (a + b) mod 59", () => {
    const d = make(modularAddition, 1);
    for (const s of [d.train, d.test]) {
      for (let r = 0; r < s.n; r++) expect(s.y[r]).toBe((s.x[2 * r] + s.x[2 * r + 1]) % 59);
    }
  });

  it("reference lr, lambda, A", () => {
    const s = modularAddition.settings;
    expect([s.lr, s.weightFactor, s.swapWeightFactor]).toEqual([1e-3, 2, undefined]);
    expect(s.lambda).toEqual([{ from: 0, value: 0.1 }, { from: 5000, value: 1 }, { from: 15000, value: 0.1 }]);
  });
});

describe("permutation-s4", () => {
  it("S4 is the 24 permutations of 0..3 in lexicographic order, identity first", () => {
    expect(S4).toHaveLength(24);
    expect(new Set(S4.map((p) => p.join(""))).size).toBe(24);
    expect(S4[0]).toEqual([0, 1, 2, 3]);
    expect(S4[1]).toEqual([0, 1, 3, 2]);
    expect(S4[23]).toEqual([3, 2, 1, 0]);
    const keys = S4.map((p) => p.join(""));
    expect([...keys].sort()).toEqual(keys);
    for (const p of S4) expect([...p].sort()).toEqual([0, 1, 2, 3]);
  });

  it("labels are the index of σa∘σb with σb applied first", () => {
    const d = make(permutationS4, 1);
    for (const s of [d.train, d.test]) {
      for (let r = 0; r < s.n; r++) {
        const [a, b] = [S4[s.x[2 * r]], S4[s.x[2 * r + 1]]];
        expect(S4[s.y[r]]).toEqual([0, 1, 2, 3].map((k) => apply(a, apply(b, k))));
      }
    }
    // The convention matters: S4 is not abelian, so (0 1)∘(1 2) ≠ (1 2)∘(0 1).
    const swap01 = S4.findIndex((p) => p.join("") === "1023");
    const swap12 = S4.findIndex((p) => p.join("") === "0213");
    expect(S4[composeS4(swap01, swap12)].join("")).toBe("1203"); // k → swap01(swap12(k))
    expect(composeS4(swap01, swap12)).not.toBe(composeS4(swap12, swap01));
  });

  it("the composition table is a group: closure, identity, inverses, associativity", () => {
    const n = S4.length;
    const t = (a: number, b: number) => composeS4(a, b);
    for (let a = 0; a < n; a++) {
      expect(t(0, a)).toBe(a);
      expect(t(a, 0)).toBe(a);
      const row = new Set<number>();
      for (let b = 0; b < n; b++) {
        const c = t(a, b);
        expect(c >= 0 && c < n).toBe(true); // closure
        row.add(c);
      }
      expect(row.size).toBe(n); // Latin square: every element has an inverse
      for (let b = 0; b < n; b++) for (let c = 0; c < n; c++) expect(t(t(a, b), c)).toBe(t(a, t(b, c)));
    }
  });

  it("reference lr, lambda, A and swap A", () => {
    const s = permutationS4.settings;
    expect([s.lr, s.weightFactor, s.swapWeightFactor]).toEqual([2e-3, 1, 2]);
    expect(s.lambda).toEqual([{ from: 0, value: 1 }]);
  });
});
