// The transformer's forward and backward passes, for every kind of config of the spec: the whole loss
// (masked cross-entropy or masked MSE) passes a finite-difference gradient check of every parameter in
// f64 (the same pass code on the reference kernels), and the WASM pass gives the reference's logits,
// loss and gradients.
import { describe, expect, it } from "vitest";
import { createEngineSync, type Buf, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { referenceEngine } from "../helpers/reference-engine.ts";
import { finiteDiff } from "../helpers/finite-diff.ts";

const wasm = createEngineSync();
const base = { kind: "transformer", positions: true, unembedBias: false, norm: "layernorm", act: "gelu" } as const;

interface Case {
  name: string;
  spec: TransformerSpec;
  batch: number;
  T?: number;
  /** MSE: outputs that enter the loss (default all). */
  cols?: number;
}

const CASES: Case[] = [
  { name: "tokens, LayerNorm, GELU MLP, 2 heads, 2 layers", batch: 3,
    spec: { ...base, vocab: 7, outDim: 7, ctx: 5, dModel: 5, nHeads: 2, dHead: 3, nLayers: 2, dMlp: 7 } },
  { name: "vectors, no norm, GELU MLP, unembed bias, no positions (the BIMT reference layout)", batch: 4,
    spec: { ...base, inDim: 3, outDim: 2, ctx: 4, dModel: 6, nHeads: 1, dHead: 4, nLayers: 2, dMlp: 7, norm: "none",
      positions: false, unembedBias: true } },
  { name: "tokens, attention-only, 3 heads, T below ctx", batch: 2, T: 4,
    spec: { ...base, vocab: 6, outDim: 6, ctx: 6, dModel: 6, nHeads: 3, dHead: 2, nLayers: 2, dMlp: 0 } },
  { name: "tokens, no norm, SiLU MLP, unembed bias, 1 layer", batch: 2,
    spec: { ...base, vocab: 5, outDim: 5, ctx: 5, dModel: 4, nHeads: 2, dHead: 2, nLayers: 1, dMlp: 5, norm: "none", act: "silu",
      unembedBias: true } },
  { name: "vectors, LayerNorm, ReLU MLP, positions, loss on 2 of 3 outputs", batch: 3, cols: 2,
    spec: { ...base, inDim: 2, outDim: 3, ctx: 3, dModel: 5, nHeads: 1, dHead: 5, nLayers: 1, dMlp: 6, act: "relu" } },
];

/** Random parameters big enough that every part of the model is far from linear. */
function randomTensors(spec: TransformerSpec, seed: number): Record<string, Float32Array> {
  const rng = new Rng(seed);
  const out: Record<string, Float32Array> = {};
  for (const t of transformerTensors(spec).tensors) {
    const gain = t.name.endsWith(".g");
    out[t.name] = Float32Array.from({ length: t.size }, () => (gain ? rng.range(0.6, 1.4) : rng.range(-0.6, 0.6)));
  }
  return out;
}

interface Batch {
  x: Int32Array | Float32Array;
  /** CE: labels with −1 on ignored positions; MSE: targets. */
  y: Int32Array | Float32Array;
  mask: Int32Array;
}

function randomBatch(spec: TransformerSpec, rows: number, seed: number): Batch {
  const rng = new Rng(seed);
  const mask = Int32Array.from({ length: rows }, (_, i) => (i === 0 || rng.uniform() < 0.7 ? 1 : 0));
  if (spec.vocab !== undefined) {
    return {
      x: Int32Array.from({ length: rows }, () => rng.int(spec.vocab!)),
      y: Int32Array.from({ length: rows }, (_, i) => (mask[i] ? rng.int(spec.outDim) : -1)),
      mask,
    };
  }
  return {
    x: Float32Array.from({ length: rows * spec.inDim! }, () => rng.range(-1, 1)),
    y: Float32Array.from({ length: rows * spec.outDim }, () => rng.range(-1, 1)),
    mask,
  };
}

/** A model, a pass and the batch in one engine; loss() runs forward + loss, grads() also backward. */
function setup(e: Engine, c: Case, tensors: Record<string, Float32Array>, batch: Batch) {
  const model = Transformer.fromTensors(e, c.spec, tensors);
  const pass = new TransformerPass(model, c.batch, c.T);
  const rows = c.batch * pass.T;
  const target = e.from(batch.y, batch.y instanceof Int32Array ? "i32" : "f32");
  const mask = e.from(batch.mask, "i32");
  if (pass.tokens) e.i32(pass.tokens).set(batch.x);
  else e.f32(pass.inputs!).set(batch.x);
  const grads = e.alloc(model.layout.total);
  const ce = c.spec.vocab !== undefined;
  const loss = (withGrad: boolean): number => {
    const logits = pass.forward();
    const dl = withGrad ? pass.dlogits.ptr : 0;
    return ce
      ? e.k.maskedCrossEntropy(logits.ptr, target.ptr, dl, rows, c.spec.outDim, 1)
      : e.k.maskedMse(logits.ptr, target.ptr, mask.ptr, dl, rows, c.spec.outDim, c.cols ?? c.spec.outDim, 1);
  };
  const gradients = (): Float64Array => {
    const l = loss(true);
    pass.backward(grads);
    expect(Number.isFinite(l)).toBe(true);
    return Float64Array.from(e.f32(grads));
  };
  const free = () => {
    pass.dispose();
    model.dispose();
    e.free(target, mask, grads);
  };
  return { model, pass, loss, gradients, free, grads: grads as Buf };
}

describe("TransformerPass", () => {
  it.each(CASES)("$name: the f64 gradient of the loss equals central finite differences, every parameter", (c) => {
    const tensors = randomTensors(c.spec, 11);
    const ref = setup(referenceEngine(), c, tensors, randomBatch(c.spec, c.batch * (c.T ?? c.spec.ctx), 12));
    const g = ref.gradients();
    const p = ref.model.engine.f32(ref.model.params);
    const fd = finiteDiff(p, () => ref.loss(false), 1e-5);
    expectClose(g, fd, { atol: 1e-8, rtol: 1e-5 }, "gradient vs finite differences");
    // The check is not vacuous: every tensor gets a gradient, and most entries move the loss.
    for (const t of ref.model.layout.tensors) {
      const nonzero = Array.from(g.subarray(t.offset, t.offset + t.size)).filter((v) => Math.abs(v) > 1e-9).length;
      expect(nonzero, t.name).toBeGreaterThan(0);
    }
  });

  it.each(CASES)("$name: the WASM pass gives the reference's logits, loss and gradients", (c) => {
    const tensors = randomTensors(c.spec, 21);
    const batch = randomBatch(c.spec, c.batch * (c.T ?? c.spec.ctx), 22);
    const ref = setup(referenceEngine(), c, tensors, batch);
    const got = setup(wasm, c, tensors, batch);
    const gRef = ref.gradients();
    const lossRef = ref.loss(false);
    const gGot = got.gradients();
    const lossGot = got.loss(false);
    expect(Math.abs(lossGot - lossRef)).toBeLessThan(1e-5 * Math.max(1, lossRef));
    expectClose(wasm.read(got.pass.logits), ref.model.engine.read(ref.pass.logits), { atol: 2e-6, rtol: 1e-5 }, "logits");
    const scale = gRef.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectClose(gGot, gRef, { atol: 1e-5 * scale, rtol: 1e-4 }, "gradients");
    for (let l = 0; l < c.spec.nLayers; l++) {
      expectClose(got.pass.attention(l), ref.pass.attention(l), { atol: 1e-6, rtol: 1e-5 }, `attention ${l}`);
    }
    got.free();
  });

  it("a forward over the first n sequences gives those sequences' logits of the full batch", () => {
    const c = CASES[0];
    const tensors = randomTensors(c.spec, 31);
    const batch = randomBatch(c.spec, c.batch * c.spec.ctx, 32);
    const s = setup(wasm, c, tensors, batch);
    const full = wasm.read(s.pass.forward());
    const part = wasm.read(s.pass.forward(2)).subarray(0, 2 * c.spec.ctx * c.spec.outDim);
    expect(part).toEqual(full.subarray(0, part.length));
    // causal: the first t positions do not depend on later tokens
    const tok = wasm.i32(s.pass.tokens!);
    tok[c.spec.ctx - 1] = (tok[c.spec.ctx - 1] + 1) % c.spec.vocab!;
    const changed = wasm.read(s.pass.forward());
    const V = c.spec.outDim;
    expect(changed.subarray(0, (c.spec.ctx - 1) * V)).toEqual(full.subarray(0, (c.spec.ctx - 1) * V));
    expect(changed.subarray((c.spec.ctx - 1) * V, c.spec.ctx * V)).not.toEqual(full.subarray((c.spec.ctx - 1) * V, c.spec.ctx * V));
    s.free();
  });

  it("frees every buffer it allocated, and refuses bad shapes", () => {
    const c = CASES[1];
    const before = wasm.memoryStats.liveBuffers;
    const s = setup(wasm, c, randomTensors(c.spec, 41), randomBatch(c.spec, c.batch * c.spec.ctx, 42));
    s.gradients();
    s.free();
    expect(wasm.memoryStats.liveBuffers).toBe(before);
    const m = Transformer.init(wasm, c.spec, new Rng(1));
    expect(() => new TransformerPass(m, 0)).toThrow(/batch must be/);
    expect(() => new TransformerPass(m, 2, c.spec.ctx + 1)).toThrow(/T must be 1 … ctx 4/);
    const p = new TransformerPass(m, 2);
    expect(() => p.forward(3)).toThrow(/n must be 1 … 2, got 3/);
    p.dispose();
    expect(() => p.forward()).toThrow(/after dispose/);
    m.dispose();
  });
});
