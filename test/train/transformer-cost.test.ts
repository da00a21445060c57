import { describe, expect, it } from "vitest";
import { createEngineSync, type Buf } from "../../src/engine/engine.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { TransformerPass } from "../../src/model/transformer-pass.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { iclSettings } from "../../src/tasks/sequence/icl-regression.ts";
import { inductionSettings } from "../../src/tasks/sequence/induction.ts";
import type { SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { modeParts, MODES } from "../../src/train/modes.ts";
import { createTransformerCost, transformerWireLength } from "../../src/train/transformer-cost.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { referenceEngine } from "../helpers/reference-engine.ts";
import { referenceCost } from "../helpers/transformer-bimt-ref.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { finiteDiff } from "../helpers/finite-diff.ts";

const engine = createEngineSync();

const specs: { what: string; spec: TransformerSpec; settings: SeqTrainSettings }[] = [
  { what: "vector input, no norm, MLP, unembed bias (icl-regression's shape, small)", settings: iclSettings,
    spec: { kind: "transformer", inDim: 3, outDim: 2, ctx: 5, dModel: 7, nHeads: 1, dHead: 7, nLayers: 2, dMlp: 9,
      norm: "none", act: "gelu", positions: false, unembedBias: true } },
  { what: "tokens, LayerNorm, attention-only, 3 heads, positions (induction's shape, small)", settings: inductionSettings,
    spec: { kind: "transformer", vocab: 6, outDim: 6, ctx: 5, dModel: 10, nHeads: 3, dHead: 3, nLayers: 2, dMlp: 0,
      norm: "layernorm", act: "gelu", positions: true, unembedBias: false } },
];

function model(spec: TransformerSpec, seed: number): Transformer {
  return Transformer.fromTensors(engine, spec, randomTensors(transformerTensors(spec), seed));
}

describe.each(specs)("transformer connection cost: $what", ({ spec, settings }) => {
  it.each(MODES)("%s: the value is the spec's formula recomputed in f64", (mode) => {
    const m = model(spec, 3);
    const parts = modeParts(mode, settings);
    const cost = createTransformerCost(engine, m, settings, parts);
    const want = referenceCost(spec, m.toTensors(), parts.lossA, settings.l0);
    expect(Math.abs(cost.value() - want)).toBeLessThan(1e-6 * want);
    if (mode === "l1" || mode === "l1+swap") expect(parts.lossA).toBe(0);
    cost.dispose();
    m.dispose();
  });

  it("the gradient λ·∂cost/∂θ matches central finite differences of the cost, tensor by tensor", () => {
    const m = model(spec, 4);
    const parts = modeParts("bimt", settings);
    const cost = createTransformerCost(engine, m, settings, parts);
    const layout = transformerTensors(spec);
    const grads = engine.alloc(layout.total);
    const lambda = 0.7;
    const value = cost.add(grads, lambda);
    expect(value).toBeCloseTo(cost.value(), 12);
    const g = engine.read(grads);
    const h = 1e-3;
    let checked = 0;
    for (const t of layout.tensors) {
      for (const i of [0, Math.floor(t.size / 2), t.size - 1]) {
        const at = t.offset + i;
        const p = engine.f32(m.params);
        const w0 = p[at];
        if (Math.abs(w0) < 2 * h) continue; // |w| has a kink at 0
        p[at] = w0 + h;
        const up = cost.value();
        engine.f32(m.params)[at] = w0 - h;
        const down = cost.value();
        engine.f32(m.params)[at] = w0;
        const fd = (lambda * (up - down)) / (2 * h);
        expect(Math.abs(g[at] - fd), `${t.name}[${i}]`).toBeLessThanOrEqual(1e-3 * Math.abs(fd) + 1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(layout.tensors.length);
    // LayerNorm gains and shifts are not penalised
    for (const t of layout.tensors.filter((t) => /ln|lnf/.test(t.name))) {
      expect(Array.from(g.subarray(t.offset, t.offset + t.size)).every((v) => v === 0)).toBe(true);
    }
    engine.free(grads);
    cost.dispose();
    m.dispose();
  });

  it("adds into the gradient buffer (accumulates); λ = 0 leaves it untouched and still returns the cost", () => {
    const m = model(spec, 5);
    const cost = createTransformerCost(engine, m, settings, modeParts("l1+local", settings));
    const n = transformerTensors(spec).total;
    const grads = engine.from(Array.from({ length: n }, (_, i) => i % 7));
    const before = engine.read(grads);
    expect(cost.add(grads, 0)).toBe(cost.value());
    expect(engine.read(grads)).toEqual(before);
    cost.add(grads, 1);
    const once = engine.read(grads);
    cost.add(grads, 1);
    const twice = engine.read(grads);
    for (let i = 0; i < n; i += 97) expect(twice[i] - once[i]).toBeCloseTo(once[i] - before[i], 6);
    expect(() => cost.add(engine.alloc(n - 1), 1)).toThrow(/smaller than the parameters/);
    engine.free(grads);
    cost.dispose();
    m.dispose();
  });
});

describe("mean wire length", () => {
  it("is Σ|w|·dist / Σ|w| over the maps: a model whose weights sit on the diagonal has short wires", () => {
    const spec = specs[0].spec;
    const m = model(spec, 6);
    const long = transformerWireLength(m);
    expect(long).toBeGreaterThan(0.2);
    // keep only weights between equal slots of equal-width layers (distance 0 there)
    const t = m.toTensors();
    for (const [name, rows, cols] of [["0.o.weight", 7, 7], ["1.o.weight", 7, 7]] as const) {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (r !== c) t[name][r * cols + c] = 0;
    }
    for (const name of Object.keys(t)) if (!/\.o\.weight$/.test(name) && name.endsWith("weight")) t[name].fill(0);
    const diag = Transformer.fromTensors(engine, spec, t);
    expect(transformerWireLength(diag)).toBe(0);
    diag.dispose();
    m.dispose();
  });
});

describe("the whole transformer loss, task + λ·cost", () => {
  // In f64 on the reference kernels (test/helpers/reference-engine.ts): the pass's backward plus the
  // cost's add() against central finite differences of loss + λ·cost, every parameter.
  it.each(specs)("$what: its gradient equals finite differences, every parameter", ({ spec, settings }) => {
    const e = referenceEngine();
    const layout = transformerTensors(spec);
    const m = Transformer.fromTensors(e, spec, randomTensors(layout, 8, 0.4));
    const batch = 2;
    const pass = new TransformerPass(m, batch);
    const rows = batch * spec.ctx;
    const ce = spec.vocab !== undefined;
    if (ce) e.i32(pass.tokens!).set(Array.from({ length: rows }, (_, i) => (i * 5 + 2) % spec.vocab!));
    else e.f32(pass.inputs!).set(Array.from({ length: rows * spec.inDim! }, (_, i) => Math.sin(1.7 * i)));
    const target = ce
      ? e.from(Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? -1 : (i * 3 + 1) % spec.outDim)), "i32")
      : e.from(Array.from({ length: rows * spec.outDim }, (_, i) => Math.cos(i)));
    const mask = e.from(Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? 0 : 1)), "i32");
    const cost = createTransformerCost(e, m, settings, modeParts("bimt", settings));
    const lambda = 0.3;
    const total = (grads?: Buf) => {
      const logits = pass.forward();
      const dl = grads ? pass.dlogits.ptr : 0;
      const task = ce
        ? e.k.maskedCrossEntropy(logits.ptr, target.ptr, dl, rows, spec.outDim, 1)
        : e.k.maskedMse(logits.ptr, target.ptr, mask.ptr, dl, rows, spec.outDim, spec.outDim, 1);
      if (!grads) return task + lambda * cost.value();
      pass.backward(grads);
      return task + lambda * cost.add(grads, lambda);
    };
    const grads = e.alloc(layout.total);
    total(grads);
    const g = Float64Array.from(e.f32(grads));
    const p = e.f32(m.params);
    const fd = finiteDiff(p, () => total());
    expectClose(g, fd, { atol: 1e-7, rtol: 1e-5 }, "task + cost gradient vs finite differences");
    // the cost's share is not negligible: without it the gradient would differ
    const costOnly = e.alloc(layout.total);
    cost.add(costOnly, lambda);
    const share = Math.max(...Array.from(e.f32(costOnly), Math.abs));
    expect(share).toBeGreaterThan(1e-3);
    pass.dispose();
    m.dispose();
  });
});
