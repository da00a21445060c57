import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { groundTruthScore, reachedInputs, rocAuc, sweepAuc } from "../../src/circuits/ground-truth.ts";

describe("ground truth", () => {
  const e = createEngineSync();

  it("follows kept paths back to original inputs through inPerm and outPerm", () => {
    // 4 inputs, 3 hidden, 2 outputs; slots permuted: slot s reads feature inPerm[s], output slot p is outPerm[p]
    const base = Mlp.init(e, { shape: [4, 3, 2], layout: "line", inFold: 1 }, new Rng(1));
    const snap = base.toSnapshot();
    base.dispose();
    snap.inPerm = [2, 0, 3, 1];
    snap.outPerm = [1, 0];
    const m = Mlp.fromSnapshot(e, snap);
    const W0 = new Uint8Array(12); // (3 hidden × 4 input slots)
    W0[0 * 4 + 0] = 1; // slot 0 (feature 2) → h0
    W0[0 * 4 + 3] = 1; // slot 3 (feature 1) → h0
    W0[1 * 4 + 1] = 1; // slot 1 (feature 0) → h1
    W0[2 * 4 + 2] = 1; // slot 2 (feature 3) → h2, and h2 reaches no output
    const W1 = new Uint8Array(6); // (2 output slots × 3 hidden)
    W1[0 * 3 + 0] = 1; // h0 → output slot 0 = original output 1
    W1[1 * 3 + 0] = 1; // h0 → output slot 1 = original output 0
    W1[1 * 3 + 1] = 1; // h1 → output slot 1
    const found = reachedInputs(m, [W0, W1]);
    expect(found).toEqual([[0, 1, 2], [1, 2]]);
    // truth: y0 ← {0, 2}, y1 ← {1, 3}
    const { perOutput, total } = groundTruthScore(found, [[0, 2], [1, 3]]);
    expect(perOutput[0]).toEqual({ precision: 2 / 3, recall: 1, tp: 2, fp: 1, fn: 0 });
    expect(perOutput[1]).toEqual({ precision: 1 / 2, recall: 1 / 2, tp: 1, fp: 1, fn: 1 });
    expect(total).toEqual({ precision: 3 / 5, recall: 3 / 4, tp: 3, fp: 2, fn: 1 });
    m.dispose();
  });

  it("folded inputs map column f·n + s to feature f·n + inPerm[s]", () => {
    const base = Mlp.init(e, { shape: [4, 1, 1], layout: "line", inFold: 2 }, new Rng(2));
    const snap = base.toSnapshot();
    base.dispose();
    snap.inPerm = [1, 0];
    const m = Mlp.fromSnapshot(e, snap);
    // keep input columns 0 (fold 0, slot 0 → feature 1) and 3 (fold 1, slot 1 → feature 2)
    expect(reachedInputs(m, [Uint8Array.from([1, 0, 0, 1]), Uint8Array.from([1])])).toEqual([[1, 2]]);
    m.dispose();
  });

  it("an empty circuit claims nothing: precision undefined (null), recall 0", () => {
    expect(groundTruthScore([[]], [[0, 1]]).total).toEqual({ precision: null, recall: 0, tp: 0, fp: 0, fn: 2 });
    // one output claims nothing, the other one true pair: precision comes from the claims made
    expect(groundTruthScore([[], [1]], [[0], [1]]).perOutput.map((p) => p.precision)).toEqual([null, 1]);
    expect(groundTruthScore([[], [1]], [[0], [1]]).total.precision).toBe(1);
    expect(() => groundTruthScore([[]], [[0], [1]])).toThrow(/1 outputs found, the task has 2/);
  });

  it("ROC AUC of a hand-built ranking, with ties counting one half", () => {
    // positives score 3, 2; negatives 2.5, 1: pairs (3>2.5, 3>1, 2<2.5, 2>1) → 3/4
    expect(rocAuc([3, 2.5, 2, 1], [true, false, true, false])).toBe(0.75);
    expect(rocAuc([1, 1], [true, false])).toBe(0.5);
    // positives 2, 1 vs negatives 1, 0: 2>1, 2>0, 1=1 (½), 1>0 → 3.5/4
    expect(rocAuc([2, 1, 1, 0], [true, true, false, false])).toBe(0.875);
    expect(rocAuc([2, 1, 0.5, 0], [true, true, false, false])).toBe(1);
    expect(() => rocAuc([1, 2], [true, true])).toThrow(/positive and one negative/);
  });

  it("ranks each input→output pair by the largest τ that still connects it", () => {
    // 3 inputs, 1 output, truth {0, 1}. τ = 1e-3 keeps {0, 2}; τ = 1e-2 keeps {0}; 1 is never kept.
    // scores: x0 = 1e-2, x1 = 0, x2 = 1e-3 → pairs (x0 > x2 ✓, x1 < x2 ✗) → AUC 1/2
    const points = [{ tau: 1e-3, found: [[0, 2]] }, { tau: 1e-2, found: [[0]] }];
    expect(sweepAuc(points, [[0, 1]], 3)).toBe(0.5);
    // with x1 kept at 1e-3 as well: x0 = 1e-2, x1 = 1e-3 both above x2 = 0 → 1
    expect(sweepAuc([{ tau: 1e-3, found: [[0, 1]] }, { tau: 1e-2, found: [[0]] }], [[0, 1]], 3)).toBe(1);
  });
});
