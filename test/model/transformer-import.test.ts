// Import of GPT-2- and TransformerLens-named safetensors: the test writes files from weights it makes
// (in each naming's own layout, by the naming's definition), imports them, and checks the tensors and
// the logits against the independent oracle forward.
import { describe, expect, it } from "vitest";
import { writeSafetensors, type SafetensorsTensor } from "../../src/model/safetensors.ts";
import { detectTransformerNames, importTransformerSafetensors } from "../../src/model/transformer-import.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

type T = Record<string, Float32Array>;

/**
 * GPT-2's tensors from ours, by GPT-2's definitions: Conv1D computes y = x·W + b with W (in, out); the
 * c_attn output is [q | k | v], each dModel wide with head h at columns h·dHead …; lm_head is an
 * nn.Linear (vocab, dModel), left out when tied to wte.
 */
function gpt2Tensors(spec: TransformerSpec, t: T, o: { prefix?: string; lmHead?: boolean; masks?: boolean } = {}): SafetensorsTensor[] {
  const d = spec.dModel;
  const p = o.prefix ?? "";
  const out: SafetensorsTensor[] = [];
  const put = (name: string, shape: number[], values: ArrayLike<number>) => out.push({ name: p + name, shape, values });
  // conv(W) for an out × in map: entry [i][o] = ours[o][i].
  const conv = (w: Float32Array, nOut: number, nIn: number) => {
    const c = new Float32Array(w.length);
    for (let i = 0; i < nIn; i++) for (let k = 0; k < nOut; k++) c[i * nOut + k] = w[k * nIn + i];
    return c;
  };
  put("wte.weight", [spec.vocab!, d], t.tok);
  put("wpe.weight", [spec.ctx, d], t.pos);
  for (let l = 0; l < spec.nLayers; l++) {
    put(`h.${l}.ln_1.weight`, [d], t[`${l}.ln1.g`]);
    put(`h.${l}.ln_1.bias`, [d], t[`${l}.ln1.b`]);
    if (o.masks) put(`h.${l}.attn.bias`, [1, 1, spec.ctx, spec.ctx], new Float32Array(spec.ctx * spec.ctx).fill(1));
    put(`h.${l}.attn.c_attn.weight`, [d, 3 * d], conv(t[`${l}.qkv.weight`], 3 * d, d));
    put(`h.${l}.attn.c_attn.bias`, [3 * d], t[`${l}.qkv.bias`]);
    put(`h.${l}.attn.c_proj.weight`, [d, d], conv(t[`${l}.o.weight`], d, d));
    put(`h.${l}.attn.c_proj.bias`, [d], t[`${l}.o.bias`]);
    put(`h.${l}.ln_2.weight`, [d], t[`${l}.ln2.g`]);
    put(`h.${l}.ln_2.bias`, [d], t[`${l}.ln2.b`]);
    put(`h.${l}.mlp.c_fc.weight`, [d, spec.dMlp], conv(t[`${l}.mlp.in.weight`], spec.dMlp, d));
    put(`h.${l}.mlp.c_fc.bias`, [spec.dMlp], t[`${l}.mlp.in.bias`]);
    put(`h.${l}.mlp.c_proj.weight`, [spec.dMlp, d], conv(t[`${l}.mlp.out.weight`], d, spec.dMlp));
    put(`h.${l}.mlp.c_proj.bias`, [d], t[`${l}.mlp.out.bias`]);
  }
  put("ln_f.weight", [d], t["lnf.g"]);
  put("ln_f.bias", [d], t["lnf.b"]);
  if (o.lmHead) out.push({ name: "lm_head.weight", shape: [spec.outDim, d], values: t["unembed.weight"] });
  return out;
}

/**
 * TransformerLens's tensors from ours, by its definitions: q_h = x·W_Q[h] + b_Q[h] with W_Q
 * [heads, dModel, dHead]; attn_out = Σ_h z_h·W_O[h] + b_O with W_O [heads, dHead, dModel]; the MLP and
 * unembed are x·W (in, out) + b.
 */
function lensTensors(spec: TransformerSpec, t: T): SafetensorsTensor[] {
  const { dModel: d, nHeads: H, dHead: dh, dMlp } = spec;
  const hd = H * dh;
  const out: SafetensorsTensor[] = [];
  const put = (name: string, shape: number[], values: ArrayLike<number>) => out.push({ name, shape, values });
  const inOut = (w: Float32Array, nOut: number, nIn: number) => {
    const c = new Float32Array(w.length);
    for (let i = 0; i < nIn; i++) for (let k = 0; k < nOut; k++) c[i * nOut + k] = w[k * nIn + i];
    return c;
  };
  put("embed.W_E", [spec.vocab!, d], t.tok);
  if (spec.positions) put("pos_embed.W_pos", [spec.ctx, d], t.pos);
  for (let l = 0; l < spec.nLayers; l++) {
    const b = `blocks.${l}`;
    if (spec.norm === "layernorm") {
      put(`${b}.ln1.w`, [d], t[`${l}.ln1.g`]);
      put(`${b}.ln1.b`, [d], t[`${l}.ln1.b`]);
    }
    const qkv = t[`${l}.qkv.weight`];
    const bias = t[`${l}.qkv.bias`];
    ["Q", "K", "V"].forEach((m, part) => {
      const W = new Float32Array(H * d * dh);
      const B = new Float32Array(H * dh);
      for (let h = 0; h < H; h++) {
        for (let e = 0; e < dh; e++) {
          B[h * dh + e] = bias[part * hd + h * dh + e];
          for (let c = 0; c < d; c++) W[h * d * dh + c * dh + e] = qkv[(part * hd + h * dh + e) * d + c];
        }
      }
      put(`${b}.attn.W_${m}`, [H, d, dh], W);
      put(`${b}.attn.b_${m}`, [H, dh], B);
    });
    const o = t[`${l}.o.weight`];
    const WO = new Float32Array(H * dh * d);
    for (let h = 0; h < H; h++) for (let e = 0; e < dh; e++) for (let c = 0; c < d; c++) WO[h * dh * d + e * d + c] = o[c * hd + h * dh + e];
    put(`${b}.attn.W_O`, [H, dh, d], WO);
    put(`${b}.attn.b_O`, [d], t[`${l}.o.bias`]);
    put(`${b}.attn.mask`, [spec.ctx, spec.ctx], new Float32Array(spec.ctx * spec.ctx));
    if (dMlp > 0) {
      if (spec.norm === "layernorm") {
        put(`${b}.ln2.w`, [d], t[`${l}.ln2.g`]);
        put(`${b}.ln2.b`, [d], t[`${l}.ln2.b`]);
      }
      put(`${b}.mlp.W_in`, [d, dMlp], inOut(t[`${l}.mlp.in.weight`], dMlp, d));
      put(`${b}.mlp.b_in`, [dMlp], t[`${l}.mlp.in.bias`]);
      put(`${b}.mlp.W_out`, [dMlp, d], inOut(t[`${l}.mlp.out.weight`], d, dMlp));
      put(`${b}.mlp.b_out`, [d], t[`${l}.mlp.out.bias`]);
    }
  }
  if (spec.norm === "layernorm") {
    put("ln_final.w", [d], t["lnf.g"]);
    put("ln_final.b", [d], t["lnf.b"]);
  }
  put("unembed.W_U", [d, spec.outDim], inOut(t["unembed.weight"], spec.outDim, d));
  if (spec.unembedBias) put("unembed.b_U", [spec.outDim], t["unembed.bias"]);
  return out;
}

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
