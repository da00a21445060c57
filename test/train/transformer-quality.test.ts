// What training a transformer must achieve on the reference tasks (shorter schedules than the
// reference's, named in each test): induction learns its copy with a previous-token head in layer 0 and
// an induction head in layer 1 (the attention-score ground truth), and icl-regression predicts y at the
// last position far better than any constant.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { attentionScores } from "../../src/model/attention-scores.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";
import { induction, iclRegression } from "../../src/tasks/sequence/index.ts";
import { trainSeq } from "../../src/train/transformer-trainer.ts";

const e = createEngineSync();

describe("transformer training quality", () => {
  it("induction (reference settings, 400 of 6,000 steps, vanilla): ≥ 0.95 on the copy, a previous-token head in layer 0 and an induction head in layer 1", async () => {
    const data = await induction.make(e, 1);
    const r = trainSeq(e, data, { mode: "vanilla", seed: 1, settings: { ...induction.settings, steps: 400 }, evalEvery: 400 });
    expect(r.metrics.test).toBeGreaterThanOrEqual(0.95);
    const n = 500;
    const scores = attentionScores(r.model, data.test.x.subarray(0, n * data.ctx) as Int32Array, n, { repeat: data.test.repeat });
    expect(scores.previousTokenHeads.some((h) => h.layer === 0)).toBe(true);
    expect(scores.inductionHeads.some((h) => h.layer === 1)).toBe(true);
    // and the roles sit where K-composition needs them: no layer-0 head attends like an induction head
    expect(Math.max(...scores.heads.filter((h) => h.layer === 0).map((h) => h.induction))).toBeLessThan(0.4);
    r.model.dispose();
  });

  it("icl-regression (reference settings, 1,500 of 40,000 steps, vanilla): last-position MSE ≥ 10× below the best constant's", async () => {
    const data = await iclRegression.make(e, 1);
    const r = trainSeq(e, data, { mode: "vanilla", seed: 1, settings: { ...iclRegression.settings, steps: 1500 }, evalEvery: 1500 });
    const { ctx: T, outDim: V } = data;
    const last = (split: typeof data.test, s: number) => split.y[(s * T + T - 1) * V]; // y at the last x-token: output 0
    let mean = 0;
    for (let s = 0; s < data.train.n; s++) mean += last(data.train, s);
    mean /= data.train.n; // the best constant on the training data
    const n = data.test.n;
    const pass = new TransformerPass(r.model, n);
    e.f32(pass.inputs!).set(data.test.x);
    const out = e.f32(pass.forward());
    let model = 0;
    let constant = 0;
    for (let s = 0; s < n; s++) {
      model += (out[(s * T + T - 1) * V] - last(data.test, s)) ** 2;
      constant += (mean - last(data.test, s)) ** 2;
    }
    pass.dispose();
    r.model.dispose();
    expect(constant / model).toBeGreaterThanOrEqual(10);
  });
});
