// Safetensors files in the GPT-2 and TransformerLens namings, built from our tensors by each naming's
// own definitions (for the import tests and the CLI tests).
import type { SafetensorsTensor } from "../../src/model/safetensors.ts";
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";

type T = Record<string, Float32Array>;

/**
 * GPT-2's tensors from ours, by GPT-2's definitions: Conv1D computes y = x·W + b with W (in, out); the
 * c_attn output is [q | k | v], each dModel wide with head h at columns h·dHead …; lm_head is an
 * nn.Linear (vocab, dModel), left out when tied to wte.
 */
export function gpt2Tensors(spec: TransformerSpec, t: T, o: { prefix?: string; lmHead?: boolean; masks?: boolean } = {}): SafetensorsTensor[] {
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
export function lensTensors(spec: TransformerSpec, t: T): SafetensorsTensor[] {
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

