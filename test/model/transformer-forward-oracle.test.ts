// The WASM forward pass against the independent oracle (test/helpers/transformer-oracle.ts), for every
// kind of config of the spec, and for models imported from GPT-2- and TransformerLens-named files.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { writeSafetensors } from "../../src/model/safetensors.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { importTransformerSafetensors } from "../../src/model/transformer-import.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { gpt2Tensors, lensTensors } from "../helpers/transformer-files.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

const engine = createEngineSync();
const base = { kind: "transformer", positions: true, unembedBias: false, norm: "layernorm", act: "gelu" } as const;

const CONFIGS: { name: string; spec: TransformerSpec }[] = [
  { name: "tokens, LayerNorm, GELU MLP, positions", spec: { ...base, vocab: 11, outDim: 11, ctx: 7, dModel: 12, nHeads: 3, dHead: 4, nLayers: 2, dMlp: 17 } },
  { name: "vectors, no norm, GELU MLP, unembed bias, no positions", spec: { ...base, inDim: 2, outDim: 2, ctx: 3, dModel: 9, nHeads: 1, dHead: 9, nLayers: 2, dMlp: 13, norm: "none", positions: false, unembedBias: true } },
  { name: "tokens, attention-only, 4 heads, H·dHead ≠ dModel", spec: { ...base, vocab: 9, outDim: 9, ctx: 9, dModel: 10, nHeads: 4, dHead: 3, nLayers: 2, dMlp: 0 } },
  { name: "tokens, no norm, SiLU, unembed bias, 1 layer", spec: { ...base, vocab: 6, outDim: 5, ctx: 5, dModel: 7, nHeads: 2, dHead: 3, nLayers: 1, dMlp: 6, norm: "none", act: "silu", unembedBias: true } },
  { name: "vectors, LayerNorm, ReLU, positions, 3 layers", spec: { ...base, inDim: 3, outDim: 4, ctx: 6, dModel: 8, nHeads: 2, dHead: 4, nLayers: 3, dMlp: 5, act: "relu" } },
];

function sequences(spec: TransformerSpec, n: number, T: number): number[][] {
  return Array.from({ length: n }, (_, s) => spec.vocab !== undefined
    ? Array.from({ length: T }, (_, i) => (i * 7 + s * 5 + 3) % spec.vocab!)
    : Array.from({ length: T * spec.inDim! }, (_, i) => Math.sin(0.7 * i + s)));
}

/** WASM logits and attention of n sequences of length T, against the oracle's: the largest |Δ|s. */
function compare(spec: TransformerSpec, tensors: Record<string, ArrayLike<number>>, reference: Record<string, ArrayLike<number>>,
  T = spec.ctx, n = 3) {
  const m = Transformer.fromTensors(engine, spec, tensors);
  const pass = new TransformerPass(m, n, T);
  const seqs = sequences(spec, n, T);
  if (pass.tokens) engine.i32(pass.tokens).set(seqs.flat());
  else engine.f32(pass.inputs!).set(seqs.flat());
  const logits = engine.read(pass.forward());
  const attn = Array.from({ length: spec.nLayers }, (_, l) => pass.attention(l).slice());
  let logit = 0;
  let prob = 0;
  let scale = 0;
  seqs.forEach((x, s) => {
    const o = oracleForward(spec, reference, x);
    for (let i = 0; i < o.logits.length; i++) {
      logit = Math.max(logit, Math.abs(logits[s * T * spec.outDim + i] - o.logits[i]));
      scale = Math.max(scale, Math.abs(o.logits[i]));
    }
    for (let l = 0; l < spec.nLayers; l++) {
      for (let h = 0; h < spec.nHeads; h++) {
        const base = (s * spec.nHeads + h) * T * T;
        for (let i = 0; i < T * T; i++) prob = Math.max(prob, Math.abs(attn[l][base + i] - o.attn[l][h][i]));
      }
    }
  });
  pass.dispose();
  m.dispose();
  return { logit, prob, scale };
}

describe("the WASM forward equals the oracle", () => {
  it.each(CONFIGS)("$name: logits and attention probabilities", ({ spec }) => {
    const t = randomTensors(transformerTensors(spec), 17, 0.5);
    const full = compare(spec, t, t);
    expect(full.scale).toBeGreaterThan(0.5); // the logits are not all near zero
    expect(full.logit).toBeLessThan(1e-5 * Math.max(1, full.scale));
    expect(full.prob).toBeLessThan(1e-6);
    const short = compare(spec, t, t, Math.max(1, spec.ctx - 2), 2); // T below ctx
    expect(short.logit).toBeLessThan(1e-5 * Math.max(1, short.scale));
  });
});

describe("imported checkpoints run in WASM as the oracle runs the source weights", () => {
  const spec: TransformerSpec = { ...base, vocab: 50, outDim: 50, ctx: 16, dModel: 32, nHeads: 4, dHead: 8, nLayers: 3, dMlp: 64 };
  const t = randomTensors(transformerTensors(spec), 23, 0.3);
  t["unembed.weight"] = t.tok.slice();

  it.each([
    ["GPT-2", () => importTransformerSafetensors(writeSafetensors(gpt2Tensors(spec, t, { prefix: "transformer." })), { nHeads: 4 })],
    ["TransformerLens", () => importTransformerSafetensors(writeSafetensors(lensTensors(spec, t)))],
  ] as const)("%s names: max |Δlogit| below 1e-5 of the logits' scale", (names, load) => {
    const s = load();
    const r = compare(s.spec, s.tensors, t);
    console.log(`import (${names} names), WASM forward vs oracle on the source weights: max |Δlogit| ${r.logit.toExponential(2)} ` +
      `(logits up to ${r.scale.toFixed(2)}), max |Δp| ${r.prob.toExponential(2)}`);
    expect(r.logit).toBeLessThan(1e-5 * Math.max(1, r.scale));
    expect(r.prob).toBeLessThan(5e-6); // f32 softmax over 16 positions of scores up to ~6
  });
});
