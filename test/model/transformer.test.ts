// The Transformer's parameter block: init, named tensors in and out, offsets, errors, no leaks.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { INIT_STD, Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";

const e = createEngineSync();
const spec: TransformerSpec = {
  kind: "transformer", vocab: 7, outDim: 7, ctx: 5, dModel: 12, nHeads: 3, dHead: 4, nLayers: 2, dMlp: 20,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: true,
};

describe("Transformer", () => {
  it("initialises like GPT-2: weights N(0, 0.02²), residual writers scaled by 1/√(2·nLayers), biases 0, gains 1", () => {
    const m = Transformer.init(e, spec, new Rng(1));
    const t = m.toTensors();
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    const big = Transformer.init(e, { ...spec, dModel: 64, dMlp: 256 }, new Rng(2)).toTensors();
    expect(std(big["0.mlp.in.weight"])).toBeGreaterThan(INIT_STD * 0.95);
    expect(std(big["0.mlp.in.weight"])).toBeLessThan(INIT_STD * 1.05);
    expect(std(big["1.mlp.out.weight"])).toBeGreaterThan((INIT_STD / 2) * 0.95);
    expect(std(big["1.mlp.out.weight"])).toBeLessThan((INIT_STD / 2) * 1.05);
    for (const name of ["0.ln1.g", "1.ln2.g", "lnf.g"]) expect(Array.from(t[name]).every((x) => x === 1)).toBe(true);
    for (const name of ["0.ln1.b", "0.qkv.bias", "1.o.bias", "0.mlp.in.bias", "unembed.bias", "lnf.b"]) {
      expect(Array.from(t[name]).every((x) => x === 0), name).toBe(true);
    }
    expect(t.tok.some((x) => x !== 0)).toBe(true);
    m.dispose();
  });

  it("gives the same bits for the same seed and different bits for another", () => {
    const a = Transformer.init(e, spec, new Rng(3));
    const b = Transformer.init(e, spec, new Rng(3));
    const c = Transformer.init(e, spec, new Rng(4));
    expect(a.readParams()).toEqual(b.readParams());
    expect(a.readParams()).not.toEqual(c.readParams());
    a.dispose();
    b.dispose();
    c.dispose();
  });

  it("round-trips through named tensors, and ptr(name) points at each tensor's first element", () => {
    const a = Transformer.init(e, spec, new Rng(5));
    const tensors = a.toTensors();
    expect(Object.keys(tensors)).toEqual(transformerTensors(spec).tensors.map((t) => t.name));
    const b = Transformer.fromTensors(e, spec, tensors);
    expect(b.readParams()).toEqual(a.readParams());
    const mem = new Float32Array(e.k.memory.buffer);
    for (const [name, values] of Object.entries(tensors)) {
      expect(mem[b.ptr(name) / 4], name).toBe(values[0]);
      expect(b.view(name)).toEqual(values);
    }
    const plain = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, Array.from(v)]));
    const c = Transformer.fromTensors(e, spec, plain);
    expect(c.readParams()).toEqual(a.readParams());
    const d = a.clone();
    expect(d.readParams()).toEqual(a.readParams());
    for (const m of [a, b, c, d]) m.dispose();
  });

  it("names the first missing, mis-sized or unknown tensor", () => {
    const a = Transformer.init(e, spec, new Rng(6));
    const tensors: Record<string, ArrayLike<number>> = a.toTensors();
    a.dispose();
    const { pos: _pos, ...noPos } = tensors;
    expect(() => Transformer.fromTensors(e, spec, noPos)).toThrow(/tensor pos \[5, 12\] is missing/);
    expect(() => Transformer.fromTensors(e, spec, { ...tensors, "1.qkv.bias": new Float32Array(35) }))
      .toThrow(/1\.qkv\.bias must hold 36 numbers \(\[36\]\), got 35/);
    expect(() => Transformer.fromTensors(e, spec, { ...tensors, "2.qkv.bias": [1] })).toThrow(/2\.qkv\.bias is not part/);
    const m = Transformer.init(e, { ...spec, norm: "none" }, new Rng(1));
    expect(() => m.ptr("0.ln1.g")).toThrow(/no tensor 0\.ln1\.g/);
    m.dispose();
  });

  it("frees its block on dispose (idempotent)", () => {
    const before = e.memoryStats.liveBuffers;
    const m = Transformer.init(e, spec, new Rng(7));
    expect(e.memoryStats.liveBuffers).toBe(before + 1);
    m.dispose();
    m.dispose();
    expect(e.memoryStats.liveBuffers).toBe(before);
  });
});
