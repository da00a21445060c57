import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { iclSettings } from "../../src/tasks/sequence/icl-regression.ts";
import { inductionSettings } from "../../src/tasks/sequence/induction.ts";
import type { SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { modeParts, MODES } from "../../src/train/modes.ts";
import { createTransformerCost, transformerWireLength } from "../../src/train/transformer-cost.ts";
import { referenceCost } from "../helpers/transformer-bimt-ref.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";

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
