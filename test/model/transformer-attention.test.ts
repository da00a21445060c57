import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/engine.ts";
import { attentionProbs, headPattern } from "../../src/model/transformer-attention.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

const tokenSpec: TransformerSpec = { kind: "transformer", vocab: 11, outDim: 11, ctx: 5, dModel: 12, nHeads: 3, dHead: 4,
  nLayers: 2, dMlp: 8, norm: "layernorm", act: "gelu", positions: true, unembedBias: false };

describe("attention patterns", () => {
  it("are the oracle's attention probabilities, per layer, head and sequence, over several chunks", async () => {
    const engine = await createEngine();
    const t = randomTensors(transformerTensors(tokenSpec), 3);
    const model = Transformer.fromTensors(engine, tokenSpec, t);
    const n = 67; // more than one pass of 64
    const x = Int32Array.from({ length: n * 5 }, (_, i) => (i * 7 + 3) % 11);
    const probs = attentionProbs(model, x, n);
    expect(probs).toHaveLength(2);
    expect(probs[0]).toHaveLength(n * 3 * 25);
    for (const i of [0, 40, 66]) {
      const o = oracleForward(tokenSpec, t, x.subarray(i * 5, i * 5 + 5));
      for (let l = 0; l < 2; l++) {
        for (let h = 0; h < 3; h++) expectClose(headPattern(probs[l], 3, 5, h, i), o.attn[l][h], { atol: 1e-5 }, `seq ${i} ${l}.${h}`);
      }
    }
    // the mean over sequences is the mean of the per-sequence patterns
    const mean = headPattern(probs[1], 3, 5, 2, "mean");
    const want = new Float64Array(25);
    for (let i = 0; i < n; i++) headPattern(probs[1], 3, 5, 2, i).forEach((v, j) => (want[j] += v / n));
    expectClose(mean, want, { atol: 1e-12 });
    model.dispose();
  });

  it("reads vector inputs too, and refuses the wrong input", async () => {
    const engine = await createEngine();
    const spec: TransformerSpec = { ...tokenSpec, vocab: undefined, inDim: 2, outDim: 2, norm: "none", positions: false };
    const t = randomTensors(transformerTensors(spec), 9);
    const model = Transformer.fromTensors(engine, spec, t);
    const x = Float32Array.from({ length: 2 * 5 * 2 }, (_, i) => Math.fround(Math.sin(i)));
    const probs = attentionProbs(model, x, 2);
    const o = oracleForward(spec, t, x.subarray(10, 20));
    expectClose(headPattern(probs[0], 3, 5, 1, 1), o.attn[0][1], { atol: 1e-5 });
    expect(() => attentionProbs(model, new Int32Array(10), 1)).toThrow(/vector model needs Float32Array/);
    expect(() => attentionProbs(model, x, 3)).toThrow(/x holds 20 values, expected n 3 × ctx 5 × 2/);
    expect(() => headPattern(probs[0], 3, 5, 3, 0)).toThrow(/head must be 0 … 2/);
    model.dispose();
  });
});
