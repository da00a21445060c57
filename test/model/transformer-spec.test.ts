import { describe, expect, it } from "vitest";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";

const base = { kind: "transformer", norm: "layernorm", act: "gelu", positions: true, unembedBias: false } as const;

describe("transformerTensors", () => {
  it("counts the parameters of the three bench models of the performance spec", () => {
    const a: TransformerSpec = { ...base, vocab: 32, outDim: 32, ctx: 24, dModel: 64, nHeads: 4, dHead: 16, nLayers: 2, dMlp: 0 };
    const b: TransformerSpec = { ...base, inDim: 2, outDim: 2, ctx: 4, dModel: 32, nHeads: 1, dHead: 32, nLayers: 2,
      dMlp: 128, norm: "none", positions: false, unembedBias: true };
    const c: TransformerSpec = { ...base, vocab: 64, outDim: 64, ctx: 64, dModel: 128, nHeads: 4, dHead: 32, nLayers: 2, dMlp: 512 };
    expect(transformerTensors(a).total).toBe(39_296);
    expect(transformerTensors(b).total).toBe(25_314);
    expect(transformerTensors(c).total).toBe(421_376);
  });

  it("lays tensors end to end in the documented order", () => {
    const s: TransformerSpec = { ...base, vocab: 5, outDim: 5, ctx: 3, dModel: 4, nHeads: 2, dHead: 2, nLayers: 1, dMlp: 6 };
    const { tensors, byName, total } = transformerTensors(s);
    expect(tensors.map((t) => t.name)).toEqual(["tok", "pos", "0.ln1.g", "0.ln1.b", "0.qkv.weight", "0.qkv.bias",
      "0.o.weight", "0.o.bias", "0.ln2.g", "0.ln2.b", "0.mlp.in.weight", "0.mlp.in.bias", "0.mlp.out.weight",
      "0.mlp.out.bias", "lnf.g", "lnf.b", "unembed.weight"]);
    expect(byName.get("0.qkv.weight")!.shape).toEqual([12, 4]);
    let at = 0;
    for (const t of tensors) {
      expect(t.offset).toBe(at);
      at += t.size;
    }
    expect(total).toBe(at);
  });

  it("refuses a spec with both or neither input kinds, and bad sizes", () => {
    const ok: TransformerSpec = { ...base, vocab: 5, outDim: 5, ctx: 3, dModel: 4, nHeads: 2, dHead: 2, nLayers: 1, dMlp: 0 };
    expect(() => transformerTensors({ ...ok, inDim: 2 })).toThrow(/exactly one of vocab/);
    expect(() => transformerTensors({ ...ok, vocab: undefined })).toThrow(/exactly one of vocab/);
    expect(() => transformerTensors({ ...ok, dModel: 0 })).toThrow(/dModel/);
    expect(() => transformerTensors({ ...ok, dMlp: -1 })).toThrow(/dMlp/);
  });
});
