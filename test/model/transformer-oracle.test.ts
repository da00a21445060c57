// The oracle forward (test/helpers/transformer-oracle.ts) on cases worked by hand, so the tests that
// lean on it stand on something checked.
import { describe, expect, it } from "vitest";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

const tiny: TransformerSpec = {
  kind: "transformer", vocab: 2, outDim: 2, ctx: 2, dModel: 2, nHeads: 1, dHead: 1, nLayers: 1, dMlp: 0,
  norm: "none", act: "gelu", positions: false, unembedBias: false,
};

describe("oracle forward", () => {
  it("one head by hand: q = k = x₁, v = x₀, o writes 2z into x₁", () => {
    const w = {
      tok: [1, 0, 0, 1],
      "0.qkv.weight": [0, 1, 0, 1, 1, 0], // rows q, k, v over (x₀, x₁)
      "0.qkv.bias": [0, 0, 0],
      "0.o.weight": [0, 2],
      "0.o.bias": [0, 0],
      "unembed.weight": [1, 0, 0, 1],
    };
    // tokens [1, 0]: x = [[0,1],[1,0]], so position 0 has q = k = 1, v = 0 and position 1 q = k = 0, v = 1.
    const { logits, attn } = oracleForward(tiny, w, [1, 0]);
    // position 0 attends to itself: z = v₀ = 0, so x₀ stays [0, 1]
    // position 1: scores q₁k₀ = 0, q₁k₁ = 0 → [½, ½]; z = ½·0 + ½·1 = ½; x₁ = [1, 0] + [0, 1]
    expect(Array.from(attn[0][0])).toEqual([1, 0, 0.5, 0.5]);
    expect(Array.from(logits)).toEqual([0, 1, 1, 1]);
    // tokens [1, 1]: q = k = 1 everywhere, v = 0: nothing moves
    expect(Array.from(oracleForward(tiny, w, [1, 1]).logits)).toEqual([0, 1, 0, 1]);
    // tokens [0, 1]: q₀ = k₀ = 0, v₀ = 1; q₁ = k₁ = 1, v₁ = 0. Position 1 scores q₁k₀ = 0, q₁k₁ = 1
    // → [1/(1+e), e/(1+e)]; z = v₀/(1+e)
    const p = oracleForward(tiny, w, [0, 1]);
    const e = Math.E;
    expect(p.attn[0][0][2]).toBeCloseTo(1 / (1 + e), 15);
    expect(p.logits[3]).toBeCloseTo(1 + 2 / (1 + e), 15);
    expect(p.logits[0]).toBe(1);
    expect(p.logits[1]).toBe(2); // position 0: z = v₀ = 1, o adds 2
  });

  it("vector input, GELU (tanh form) MLP and unembed bias by hand", () => {
    const spec: TransformerSpec = { ...tiny, vocab: undefined, inDim: 1, outDim: 1, ctx: 1, dModel: 1, dMlp: 1, unembedBias: true };
    const w = {
      "in.weight": [1], "in.bias": [0],
      "0.qkv.weight": [0, 0, 0], "0.qkv.bias": [0, 0, 0], "0.o.weight": [0], "0.o.bias": [0],
      "0.mlp.in.weight": [1], "0.mlp.in.bias": [0], "0.mlp.out.weight": [1], "0.mlp.out.bias": [0],
      "unembed.weight": [1], "unembed.bias": [0.25],
    };
    // x = 1 → 1 + gelu(1) + 0.25, gelu(1) = ½(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768
    expect(oracleForward(spec, w, [1]).logits[0]).toBeCloseTo(1 + 0.8411919906082768 + 0.25, 12);
    expect(oracleForward({ ...spec, act: "relu" }, w, [-2]).logits[0]).toBeCloseTo(-2 + 0 + 0.25, 15);
  });

  it("LayerNorm by hand: [1, 3] normalises to ±1/√(1 + ε), then gain and shift", () => {
    const spec: TransformerSpec = { ...tiny, norm: "layernorm", nLayers: 1 };
    const w = {
      tok: [1, 3, 0, 0], "0.ln1.g": [1, 1], "0.ln1.b": [0, 0],
      "0.qkv.weight": [0, 0, 0, 0, 0, 0], "0.qkv.bias": [0, 0, 0], "0.o.weight": [0, 0], "0.o.bias": [0, 0],
      "lnf.g": [2, 1], "lnf.b": [0, 5], "unembed.weight": [1, 0, 0, 1],
    };
    const s = 1 / Math.sqrt(1 + 1e-5);
    const l = oracleForward(spec, w, [0]).logits;
    expect(l[0]).toBeCloseTo(-2 * s, 14);
    expect(l[1]).toBeCloseTo(5 + s, 14);
  });

  it("attention is causal and each row sums to 1", () => {
    const spec: TransformerSpec = { ...tiny, vocab: 9, outDim: 9, ctx: 7, dModel: 8, nHeads: 2, dHead: 3, nLayers: 2, dMlp: 5, norm: "layernorm", positions: true };
    const { attn } = oracleForward(spec, randomTensors(transformerTensors(spec), 4, 1), [1, 5, 2, 8, 0, 3, 3]);
    for (const layer of attn) {
      for (const p of layer) {
        for (let i = 0; i < 7; i++) {
          let sum = 0;
          for (let j = 0; j < 7; j++) {
            if (j > i) expect(p[i * 7 + j]).toBe(0);
            sum += p[i * 7 + j];
          }
          expect(sum).toBeCloseTo(1, 14);
        }
      }
    }
  });
});
