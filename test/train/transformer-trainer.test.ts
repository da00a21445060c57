// The transformer training loop: it learns, it is deterministic (train and trainAsync give the same
// bits), it stops on a signal, it measures what the task's mask counts, and it refuses what does not fit.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";
import type { SeqDataset, SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { iclRegressionDataset, iclSettingsFor, inductionDataset } from "./transformer-fixtures.ts";
import { evaluateSeq } from "../../src/train/transformer-evaluate.ts";
import { MODES } from "../../src/train/modes.ts";
import { SeqTrainer, trainSeq, trainSeqAsync } from "../../src/train/transformer-trainer.ts";

const e = createEngineSync();

const small = { vocab: 12, ctx: 10, minLength: 2, maxLength: 4, nTrain: 256, nTest: 64 };
const inductionData = inductionDataset(3, small);
const inductionTiny: SeqTrainSettings = {
  model: { kind: "transformer", vocab: 12, outDim: 12, ctx: 10, dModel: 16, nHeads: 2, dHead: 8, nLayers: 2, dMlp: 0,
    norm: "layernorm", act: "gelu", positions: true, unembedBias: false },
  loss: "ce", steps: 60, lr: 3e-3, weightDecay: 0.01, batch: 32, lambda: [{ from: 0, value: 1e-3 }],
  weightFactor: 2, l0: 0.5, swapEvery: 20, topK: 4,
};

describe("trainSeq", () => {
  it("lowers the loss of a small induction model (vanilla, AdamW with weight decay)", () => {
    const r = trainSeq(e, inductionData, { mode: "vanilla", seed: 1, settings: inductionTiny, recordEvery: 1 });
    const first = r.curves.loss.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = r.curves.loss.slice(-5).reduce((a, b) => a + b) / 5;
    expect(first).toBeGreaterThan(Math.log(12) * 0.9); // starts near chance: log(vocab)
    expect(last).toBeLessThan(first * 0.9);
    expect(r.steps).toBe(60);
    expect(r.metrics.metric).toBe("accuracy");
    expect(r.metrics.test).toBeGreaterThan(0);
    expect(r.tokensPerSecond).toBeCloseTo(r.stepsPerSecond * 32 * 10, 6);
    expect(r.peakInUseBytes).toBeGreaterThan(r.model.layout.total * 4 * 3); // params, grads, moments at least
    expect(r.curves.test.length).toBe(20);
    r.model.dispose();
  });

  it("gives the same bits for the same seed, sync or async, and other bits for another seed", async () => {
    const opts = { mode: "vanilla", seed: 5, settings: { ...inductionTiny, steps: 12 } } as const;
    const a = trainSeq(e, inductionData, opts);
    const b = await trainSeqAsync(e, inductionData, opts);
    const c = trainSeq(e, inductionData, { ...opts, seed: 6 });
    expect(b.model.readParams()).toEqual(a.model.readParams());
    expect(b.curves.loss).toEqual(a.curves.loss);
    expect(c.model.readParams()).not.toEqual(a.model.readParams());
    for (const r of [a, b, c]) r.model.dispose();
  });

  it("stops when the signal is aborted, keeps the steps done, and frees every training buffer", () => {
    const before = e.memoryStats.liveBuffers;
    const controller = new AbortController();
    const r = trainSeq(e, inductionData, {
      mode: "vanilla", seed: 1, settings: inductionTiny, signal: controller.signal, progressEvery: 1,
      onProgress: (p) => p.step === 7 && controller.abort(),
    });
    expect(r.aborted).toBe(true);
    expect(r.steps).toBe(7);
    expect(e.memoryStats.liveBuffers).toBe(before + 1); // the model alone
    r.model.dispose();
  });

  it("trains a vector-input regression model on the chosen outputs (icl-regression layout)", () => {
    const data = iclRegressionDataset(2, { d: 1, T: 2, draws: 400, trainFraction: 0.8 });
    const r = trainSeq(e, data, { mode: "vanilla", seed: 2, settings: { ...iclSettingsFor(40), batch: 32 }, recordEvery: 1 });
    expect(r.metrics.metric).toBe("mse");
    expect(r.curves.loss.at(-1)!).toBeLessThan(r.curves.loss[0]);
    r.model.dispose();
  });

  it("runs every mode of the ladder: λ·cost enters the loss, swaps only where the mode has them", () => {
    const runs = Object.fromEntries(MODES.map((mode) => {
      const r = trainSeq(e, inductionData, { mode, seed: 4, settings: { ...inductionTiny, steps: 40, lambda: [{ from: 0, value: 0.05 }] } });
      r.model.dispose();
      return [mode, r];
    }));
    expect(runs.vanilla.swaps).toBe(0);
    expect(runs.l1.swaps).toBe(0);
    expect(runs["l1+local"].swaps).toBe(0);
    expect(runs["l1+swap"].swaps).toBeGreaterThan(0);
    expect(runs.bimt.swaps).toBeGreaterThan(0);
    // The penalty shrinks the weights: a smaller L1 cost than vanilla's on the same seed.
    expect(runs.l1.metrics.cost).toBeLessThan(runs.vanilla.metrics.cost);
    for (const r of Object.values(runs)) {
      expect(Number.isFinite(r.metrics.cost)).toBe(true);
      expect(r.metrics.wireLength).toBeGreaterThan(0);
    }
  });

  it("refuses data that does not fit, naming the field", () => {
    const bad = (over: Partial<SeqTrainSettings["model"]>) => ({ ...inductionTiny, model: { ...inductionTiny.model, ...over } });
    expect(() => new SeqTrainer(e, inductionData, { mode: "vanilla", seed: 1, settings: bad({ ctx: 9 }) })).toThrow(/ctx 10 .* ctx is 9/);
    expect(() => new SeqTrainer(e, inductionData, { mode: "vanilla", seed: 1, settings: bad({ outDim: 5 }) })).toThrow(/outDim/);
    expect(() => new SeqTrainer(e, inductionData, { mode: "vanilla", seed: 1, settings: { ...inductionTiny, loss: "mse" } }))
      .toThrow(/loss "mse" does not fit a classification/);
    expect(() => new SeqTrainer(e, inductionData, { mode: "vanilla", seed: 1, settings: { ...inductionTiny, batch: 0 } }))
      .toThrow(/batch must be/);
  });
});

describe("evaluateSeq", () => {
  /** Accuracy / MSE over the counted positions, from the pass's logits, in plain TS. */
  function byHand(model: Transformer, data: SeqDataset, split: SeqDataset["test"]): number {
    const pass = new TransformerPass(model, split.n);
    const V = data.outDim;
    const cols = data.lossOutputs ?? V;
    if (pass.tokens) e.i32(pass.tokens).set(split.x);
    else e.f32(pass.inputs!).set(split.x);
    const logits = e.read(pass.forward());
    pass.dispose();
    let hits = 0;
    let sq = 0;
    let count = 0;
    for (let r = 0; r < split.n * data.ctx; r++) {
      if (!split.mask[r]) continue;
      count++;
      if (data.kind === "classification") {
        let best = 0;
        for (let c = 1; c < V; c++) if (logits[r * V + c] > logits[r * V + best]) best = c;
        if (best === split.y[r]) hits++;
      } else {
        for (let c = 0; c < cols; c++) sq += (logits[r * V + c] - split.y[r * V + c]) ** 2;
      }
    }
    return data.kind === "classification" ? hits / count : sq / (count * cols);
  }

  it("counts only masked positions: accuracy for tokens, MSE on the loss outputs for vectors", () => {
    const m = Transformer.init(e, inductionTiny.model, new Rng(3));
    const acc = evaluateSeq(m, inductionData.test, inductionData);
    expect(acc.metric).toBe("accuracy");
    expect(acc.value).toBeCloseTo(byHand(m, inductionData, inductionData.test), 12);
    m.dispose();
    const data = iclRegressionDataset(4, { d: 1, T: 3, draws: 50, trainFraction: 0.5 });
    const r = Transformer.init(e, { ...iclSettingsFor(1).model, ctx: 5 }, new Rng(4));
    const mse = evaluateSeq(r, data.test, data);
    expect(mse.metric).toBe("mse");
    expect(mse.value).toBeCloseTo(byHand(r, data, data.test), 6);
    r.dispose();
  });
});
