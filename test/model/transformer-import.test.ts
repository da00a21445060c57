// Import of GPT-2- and TransformerLens-named safetensors: the test writes files from weights it makes
// (in each naming's own layout, by the naming's definition), imports them, and checks the tensors and
// the logits against the independent oracle forward.
import { describe, expect, it } from "vitest";
import { writeSafetensors } from "../../src/model/safetensors.ts";
import { detectTransformerNames, importTransformerSafetensors } from "../../src/model/transformer-import.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { gpt2Tensors, lensTensors } from "../helpers/transformer-files.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

const gpt2Spec: TransformerSpec = {
  kind: "transformer", vocab: 13, outDim: 13, ctx: 9, dModel: 12, nHeads: 3, dHead: 4, nLayers: 2, dMlp: 20,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
};

/** Oracle logits of `tokens` under both tensor sets: max |Δ| over every position and output. */
function maxLogitDiff(spec: TransformerSpec, a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>, tokens: number[]): number {
  const la = oracleForward(spec, a, tokens).logits;
  const lb = oracleForward(spec, b, tokens).logits;
  let max = 0;
  for (let i = 0; i < la.length; i++) max = Math.max(max, Math.abs(la[i] - lb[i]));
  return max;
}

const tokens = (spec: TransformerSpec) => Array.from({ length: spec.ctx }, (_, i) => (i * 7 + 3) % spec.vocab!);
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe("GPT-2 names", () => {
  const layout = transformerTensors(gpt2Spec);
  const t = randomTensors(layout, 11);
  t["unembed.weight"] = t.tok.slice(); // tied, as GPT-2 is

  it.each([
    { what: "GPT2Model (tied lm_head)", opts: {} },
    { what: "GPT2LMHeadModel (transformer. prefix, lm_head, mask buffers)", opts: { prefix: "transformer.", lmHead: true, masks: true } },
  ])("imports $what into the same tensors; logits equal the oracle's on the source weights", ({ opts }) => {
    const bytes = writeSafetensors(gpt2Tensors(gpt2Spec, t, opts), { format: "pt" });
    expect(detectTransformerNames(bytes)).toBe("gpt2");
    const s = importTransformerSafetensors(bytes, { nHeads: 3 });
    expect(s.spec).toEqual(gpt2Spec);
    for (const slot of layout.tensors) expect(bits(s.tensors[slot.name]), slot.name).toEqual(bits(t[slot.name]));
    expect(maxLogitDiff(gpt2Spec, s.tensors, t, tokens(gpt2Spec))).toBe(0);
    expect(s.meta).toMatchObject({ source: "safetensors", names: "gpt2" });
  });

  it("names the first missing or mis-shaped tensor, and an unread one", () => {
    const all = gpt2Tensors(gpt2Spec, t);
    const without = (name: string) => writeSafetensors(all.filter((x) => x.name !== name));
    expect(() => importTransformerSafetensors(without("h.1.attn.c_proj.bias"), { nHeads: 3 }))
      .toThrow("safetensors (GPT-2 names): tensor h.1.attn.c_proj.bias is missing");
    const bad = all.map((x) => (x.name === "h.0.attn.c_attn.weight" ? { ...x, shape: [36, 12] } : x));
    expect(() => importTransformerSafetensors(writeSafetensors(bad), { nHeads: 3 }))
      .toThrow(/tensor h\.0\.attn\.c_attn\.weight has shape \[36, 12\], expected \[12, 36\] \(Conv1D in × out/);
    const extra = writeSafetensors([...all, { name: "h.0.attn.extra", shape: [1], values: [0] }]);
    expect(() => importTransformerSafetensors(extra, { nHeads: 3 })).toThrow(/tensor h\.0\.attn\.extra is not part of the model/);
    expect(() => importTransformerSafetensors(writeSafetensors(all))).toThrow(/do not record the number of heads: give nHeads/);
    expect(() => importTransformerSafetensors(writeSafetensors(all), { nHeads: 5 })).toThrow(/nHeads 5 must divide dModel 12/);
  });
});

describe("TransformerLens names", () => {
  const cases: { what: string; spec: TransformerSpec }[] = [
    { what: "LayerNorm, MLP, unembed bias, H·dHead ≠ dModel",
      spec: { ...gpt2Spec, outDim: 11, nHeads: 2, dHead: 5, act: "silu", unembedBias: true } },
    { what: "attention-only, no LayerNorm, no positions",
      spec: { ...gpt2Spec, dMlp: 0, norm: "none", positions: false, nLayers: 3, unembedBias: true } },
  ];
  it.each(cases)("imports $what; tensors and logits equal the source's", ({ spec }) => {
    const layout = transformerTensors(spec);
    const t = randomTensors(layout, 5);
    const bytes = writeSafetensors(lensTensors(spec, t));
    expect(detectTransformerNames(bytes)).toBe("transformer-lens");
    const s = importTransformerSafetensors(bytes, { act: spec.act, norm: spec.norm, ctx: spec.ctx });
    expect(s.spec).toEqual(spec);
    for (const slot of layout.tensors) expect(bits(s.tensors[slot.name]), slot.name).toEqual(bits(t[slot.name]));
    expect(maxLogitDiff(spec, s.tensors, t, tokens(spec))).toBe(0);
  });

  it("agrees with the GPT-2 import of the same weights", () => {
    const t = randomTensors(transformerTensors(gpt2Spec), 8);
    const fromGpt2 = importTransformerSafetensors(writeSafetensors(gpt2Tensors(gpt2Spec, t, { lmHead: true })), { nHeads: 3 });
    const fromLens = importTransformerSafetensors(writeSafetensors(lensTensors(gpt2Spec, t)));
    expect(fromLens.spec).toEqual(fromGpt2.spec);
    expect(fromLens.tensors).toEqual(fromGpt2.tensors);
  });

  it("a model without LayerNorm weights needs norm; unit gains reproduce a LayerNorm without affine", () => {
    const spec: TransformerSpec = { ...gpt2Spec, unembedBias: true };
    const t = randomTensors(transformerTensors(spec), 3);
    for (const [k, v] of Object.entries(t)) {
      if (k.endsWith(".g")) v.fill(1);
      if (/ln.\.b$|lnf\.b$/.test(k)) v.fill(0);
    }
    const folded = lensTensors(spec, t).filter((x) => !/ln1|ln2|ln_final/.test(x.name));
    expect(() => importTransformerSafetensors(writeSafetensors(folded))).toThrow(/blocks\.0\.ln1\.w is missing.*fold_ln/);
    const s = importTransformerSafetensors(writeSafetensors(folded), { norm: "layernorm" });
    expect(maxLogitDiff(spec, s.tensors, t, tokens(spec))).toBe(0);
  });

  it("names the first missing or mis-shaped tensor", () => {
    const spec = cases[0].spec;
    const all = lensTensors(spec, randomTensors(transformerTensors(spec), 2));
    expect(() => importTransformerSafetensors(writeSafetensors(all.filter((x) => x.name !== "blocks.1.attn.b_V"))))
      .toThrow("safetensors (TransformerLens names): tensor blocks.1.attn.b_V is missing");
    const bad = all.map((x) => (x.name === "blocks.1.mlp.W_out" ? { ...x, shape: [12, 20] } : x));
    expect(() => importTransformerSafetensors(writeSafetensors(bad)))
      .toThrow(/tensor blocks\.1\.mlp\.W_out has shape \[12, 20\], expected \[20, 12\]/);
    const noPos = lensTensors(cases[1].spec, randomTensors(transformerTensors(cases[1].spec), 2));
    expect(() => importTransformerSafetensors(writeSafetensors(noPos), { norm: "none" })).toThrow(/no pos_embed\.W_pos.*give ctx/);
  });
});

describe("detection", () => {
  it("an MLP file is neither naming, and importing it as a transformer says what was expected", () => {
    const mlp = writeSafetensors([{ name: "linears.0.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }]);
    expect(detectTransformerNames(mlp)).toBeUndefined();
    expect(() => importTransformerSafetensors(mlp)).toThrow(/not a GPT-2 \(wte\.weight\) or TransformerLens \(embed\.W_E\)/);
  });
});
