import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { modelHash, parseModel, serializeModel } from "../../src/model/io.ts";
import { anyModelHash, isTransformerSnapshot, parseAnyModel, serializeAnyModel } from "../../src/model/model-file.ts";
import { Transformer } from "../../src/model/transformer.ts";
import {
  parseTransformer, serializeTransformer, transformerHash, transformerParamsHash, transformerSnapshot,
  validateTransformerSnapshot,
} from "../../src/model/transformer-io.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { makeSnapshot } from "../viz/fixtures.ts";

const engine = createEngineSync();
const spec: TransformerSpec = {
  kind: "transformer", vocab: 7, outDim: 7, ctx: 5, dModel: 6, nHeads: 2, dHead: 3, nLayers: 2, dMlp: 5,
  norm: "layernorm", act: "gelu", positions: true, unembedBias: true,
};

function trained(seed = 1) {
  const m = Transformer.init(engine, spec, new Rng(seed));
  // Odd values (not just the init's): every f32 bit pattern class must survive the text round trip.
  const p = engine.f32(m.params);
  const rng = new Rng(seed + 100);
  for (let i = 0; i < p.length; i++) p[i] = Math.fround((rng.uniform() - 0.5) * 10 ** (rng.int(12) - 6));
  p[0] = -0;
  p[1] = 3.4028234663852886e38;
  p[2] = 1.401298464324817e-45;
  const s = transformerSnapshot(spec, m.toTensors(), { task: "induction", seed });
  m.dispose();
  return s;
}

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe("transformer model files (version 2)", () => {
  it("round-trips every tensor bit-exactly, in table order, and loads into a Transformer", () => {
    const s = trained();
    const text = serializeTransformer(s);
    const back = parseTransformer(text);
    for (const t of transformerTensors(spec).tensors) expect(bits(back.tensors[t.name])).toEqual(bits(s.tensors[t.name]));
    expect(back.meta).toEqual({ seed: 1, task: "induction" });
    expect(serializeTransformer(back)).toBe(text);
    // one tensor per line, after the header lines
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe('{"format":"brainwire.model","version":2,"kind":"transformer",');
    expect(lines.slice(3, 3 + transformerTensors(spec).tensors.length).map((l) => l.slice(0, l.indexOf(":"))))
      .toEqual(transformerTensors(spec).tensors.map((t) => JSON.stringify(t.name)));
    const m = Transformer.fromTensors(engine, back.spec, back.tensors);
    expect(transformerParamsHash(spec, m.readParams())).toBe(transformerHash(s));
    m.dispose();
  });

  it("hashes spec and bits: stable, blind to meta, changed by one ulp or one spec field", () => {
    const s = trained();
    const h = transformerHash(s);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(transformerHash({ ...s, meta: { other: true } })).toBe(h);
    const t = structuredClone(s);
    const v = new Float32Array([t.tensors["1.o.weight"][3]]);
    new Uint32Array(v.buffer)[0] += 1;
    t.tensors["1.o.weight"][3] = v[0];
    expect(transformerHash(t)).not.toBe(h);
    expect(transformerHash({ ...s, spec: { ...s.spec, act: "relu" } })).not.toBe(h);
  });

  it("one loader reads both kinds; MLP files load and hash as before", () => {
    const mlp = makeSnapshot({ shape: [3, 4, 2] });
    const mlpText = serializeModel(mlp);
    const a = parseAnyModel(mlpText);
    expect(isTransformerSnapshot(a)).toBe(false);
    expect(serializeAnyModel(a)).toBe(mlpText);
    expect(anyModelHash(a)).toBe(modelHash(mlp));
    const s = trained();
    const b = parseAnyModel(serializeTransformer(s));
    expect(isTransformerSnapshot(b)).toBe(true);
    expect(anyModelHash(b)).toBe(transformerHash(s));
    expect(() => parseModel(serializeTransformer(s))).toThrow(/this is a transformer model .* expected an MLP/);
    expect(() => parseAnyModel(JSON.stringify({ format: "brainwire.model", version: 3 }))).toThrow(
      /unsupported version 3 \(supported: 1 for MLPs, 2 for transformers\)/);
  });

  const base = () => JSON.parse(serializeTransformer(trained())) as Record<string, any>;
  it.each<[string, (v: Record<string, any>) => void, RegExp]>([
    ["a missing tensor", (v) => delete v.tensors["1.qkv.bias"], /tensors\["1\.qkv\.bias"\]: missing .*\[18\]/],
    ["a short tensor", (v) => v.tensors["0.o.weight"].pop(), /tensors\["0\.o\.weight"\]: expected 36 numbers \(\[6, 6\]\), got 35/],
    ["a non-number", (v) => (v.tensors.tok[4] = "1"), /tensors\["tok"\]\[4\]: not a finite f32/],
    ["a value beyond f32", (v) => (v.tensors.pos[2] = 1e39), /tensors\["pos"\]\[2\]: not a finite f32 \(got 1e\+39\)/],
    ["an unknown tensor", (v) => (v.tensors["0.ln3.g"] = [1]), /tensors\["0\.ln3\.g"\]: not part of this spec's table/],
    ["a bad spec field", (v) => (v.spec.nHeads = 0), /spec: nHeads must be a whole number ≥ 1, got 0/],
    ["an unknown spec field", (v) => (v.spec.heads = 2), /spec: unknown field "heads"/],
    ["another kind", (v) => (v.kind = "mlp"), /kind: expected "transformer"/],
    ["an unknown field", (v) => (v.weights = []), /unknown field "weights"/],
  ])("refuses %s, naming it", (_what, edit, message) => {
    const v = base();
    edit(v);
    expect(() => validateTransformerSnapshot(v)).toThrow(message);
    expect(() => parseAnyModel(JSON.stringify(v))).toThrow(message);
  });

  it("refuses text that is not JSON, saying so", () => {
    expect(() => parseTransformer("")).toThrow(/the file is empty/);
    expect(() => parseTransformer('{"format":')).toThrow(/not valid JSON/);
  });
});
