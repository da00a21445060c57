import { describe, expect, it } from "vitest";
import { fnv1a64, modelHash, parseModel, serializeModel, validateSnapshot } from "../../src/model/io.ts";
import type { ModelSnapshot } from "../../src/model/spec.ts";
import { f32Bits, makeSnapshot } from "../viz/fixtures.ts";

const clone = (s: ModelSnapshot): ModelSnapshot => structuredClone(s);

function embedded(): ModelSnapshot {
  const s = makeSnapshot({ shape: [8, 5, 3], inFold: 2, embed: { tokens: 6, dim: 4 } }, 7);
  s.inPerm = [2, 0, 3, 1];
  s.outPerm = [1, 2, 0];
  s.meta = { task: "modular-addition", seed: 3, settings: { z: 1, a: [1, 2] } };
  return s;
}

describe("serializeModel / parseModel", () => {
  it("round-trips to an identical snapshot with identical f32 bits", () => {
    const s = embedded();
    s.layers[0].weight[0] = -0;
    s.layers[0].weight[1] = Math.fround(1e-45); // smallest subnormal
    s.layers[0].weight[2] = Math.fround(3.4e38);
    s.layers[1].bias[0] = Math.fround(-1 / 3);
    const back = parseModel(serializeModel(s));
    expect(back).toEqual(s);
    s.layers.forEach((layer, l) => {
      expect(f32Bits(back.layers[l].weight)).toEqual(f32Bits(layer.weight));
      expect(f32Bits(back.layers[l].bias)).toEqual(f32Bits(layer.bias));
    });
    expect(Object.is(back.layers[0].weight[0], -0)).toBe(true);
    expect(f32Bits(back.embedding!)).toEqual(f32Bits(s.embedding!));
  });

  it("writes the shortest decimal of each f32 and rounds other numbers to f32", () => {
    const s = makeSnapshot({ shape: [1, 1] });
    s.layers[0].weight = [0.1];
    s.layers[0].bias = [Math.fround(0.1)];
    const text = serializeModel(s);
    expect(text).toContain(`{"weight":[0.1],"bias":[0.1]}`);
    const back = parseModel(text);
    expect(back.layers[0].weight[0]).toBe(Math.fround(0.1));
    expect(back.layers[0].bias[0]).toBe(Math.fround(0.1));
  });

  it("writes keys in a stable order whatever the object's order", () => {
    const s = embedded();
    const shuffled = {
      meta: { settings: { a: [1, 2], z: 1 }, seed: 3, task: "modular-addition" },
      outPerm: s.outPerm, inPerm: s.inPerm, embedding: s.embedding, layers: s.layers,
      spec: { embed: { dim: 4, tokens: 6 }, inFold: 2, layout: "line", shape: [8, 5, 3] },
      version: 1, format: "brainwire.model",
    } as ModelSnapshot;
    expect(serializeModel(shuffled)).toBe(serializeModel(s));
    expect(serializeModel(s).startsWith(`{"format":"brainwire.model","version":1,"spec":{"shape":[8,5,3],`)).toBe(true);
  });

  it("refuses to write a model it could not read back", () => {
    const s = makeSnapshot({ shape: [2, 2] });
    s.layers[0].weight[3] = NaN;
    expect(() => serializeModel(s)).toThrow(/layers\[0\]\.weight\[3\]: not a finite number \(got NaN\)/);
  });
});

describe("parseModel errors name the problem", () => {
  const good = (): Record<string, any> => JSON.parse(serializeModel(embedded()));
  const cases: [string, (m: Record<string, any>) => unknown, RegExp][] = [
    ["wrong format", (m) => { m.format = "other"; }, /format: expected "brainwire.model", got "other"/],
    ["unsupported version", (m) => { m.version = 2; }, /unsupported version 2 \(supported: 1\)/],
    ["missing spec", (m) => { delete m.spec; }, /spec: .*expected object/],
    ["missing layers", (m) => { delete m.layers; }, /layers: .*expected array/],
    ["missing inPerm", (m) => { delete m.inPerm; }, /inPerm: .*expected array/],
    ["fractional shape", (m) => { m.spec.shape[1] = 2.5; }, /spec\.shape\[1\]: must be an integer/],
    ["zero width", (m) => { m.spec.shape[1] = 0; }, /spec\.shape\[1\]: must be ≥ 1/],
    ["one layer", (m) => { m.spec.shape = [8]; }, /spec\.shape: needs at least 2 layers/],
    ["bad layout", (m) => { m.spec.layout = "ring"; }, /spec\.layout/],
    ["inFold not dividing", (m) => { m.spec.inFold = 3; }, /inFold 3 does not divide spec\.shape\[0\] = 8/],
    ["embed inconsistent", (m) => { m.spec.embed.dim = 5; },
      /shape\[0\] = 8 but spec\.inFold · spec\.embed\.dim = 2 · 5/],
    ["layer count", (m) => { m.layers.pop(); }, /layers: expected 2 .* got 1/],
    ["weight length", (m) => { m.layers[1].weight.pop(); },
      /layers\[1\]\.weight: expected 15 numbers \(out 3 × in 5\), got 14/],
    ["bias length", (m) => { m.layers[0].bias.push(0); }, /layers\[0\]\.bias: expected 5 numbers, got 6/],
    ["null weight", (m) => { m.layers[1].weight[4] = null; },
      /layers\[1\]\.weight\[4\]: not a finite number \(got null\)/],
    ["string bias", (m) => { m.layers[0].bias[2] = "1"; }, /layers\[0\]\.bias\[2\]: not a finite number/],
    ["weight beyond f32", (m) => { m.layers[0].weight[1] = 1e39; },
      /layers\[0\]\.weight\[1\]: 1e\+39 is not a finite f32/],
    ["embedding beyond f32", (m) => { m.embedding[0] = -4e38; }, /embedding\[0\]: -4e\+38 is not a finite f32/],
    ["inPerm length", (m) => { m.inPerm.pop(); }, /inPerm: expected length 4, got 3/],
    ["inPerm repeat", (m) => { m.inPerm[0] = m.inPerm[1]; }, /inPerm is not a permutation: 0 appears twice/],
    ["outPerm range", (m) => { m.outPerm[0] = 3; }, /outPerm\[0\] = 3 is out of range 0\.\.2/],
    ["outPerm fraction", (m) => { m.outPerm[0] = 0.5; }, /outPerm\[0\]: must be an integer/],
    ["embedding length", (m) => { m.embedding.pop(); }, /embedding: expected 24 numbers \(tokens 6 × dim 4\), got 23/],
    ["embedding missing", (m) => { delete m.embedding; }, /embedding: missing/],
    ["embedding without embed", (m) => { delete m.spec.embed; m.spec.inFold = 1; }, /embedding: present but/],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, () => {
      const m = good();
      mutate(m);
      expect(() => parseModel(JSON.stringify(m))).toThrow(message);
    });
  }

  it("rejects text that is not JSON, naming truncation", () => {
    const text = serializeModel(embedded());
    for (const cut of [1, 20, Math.floor(text.length / 2), text.length - 2]) {
      expect(() => parseModel(text.slice(0, cut))).toThrow(/model file is not valid JSON \(truncated/);
    }
    expect(() => parseModel("")).toThrow(/the file is empty/);
    expect(() => parseModel("[1,2]")).toThrow(/expected a JSON object, got an array/);
  });

  it("lists at most three issues and counts the rest", () => {
    const m = good();
    m.layers[0].weight = m.layers[0].weight.map(() => null);
    expect(() => parseModel(JSON.stringify(m))).toThrow(/weight\[2\]: not a finite number \(got null\); and 37 more$/);
  });
});

describe("validateSnapshot", () => {
  it("accepts a good object and names NaN and Infinity by tensor and index", () => {
    const s = embedded();
    expect(validateSnapshot(s)).toEqual(s);
    const bad = clone(s);
    bad.embedding![5] = Infinity;
    expect(() => validateSnapshot(bad)).toThrow(/embedding\[5\]: not a finite number \(got Infinity\)/);
    bad.embedding![5] = 0;
    bad.layers[1].bias[1] = NaN;
    expect(() => validateSnapshot(bad)).toThrow(/layers\[1\]\.bias\[1\]: not a finite number \(got NaN\)/);
  });
});

describe("modelHash", () => {
  it("matches published FNV-1a 64 test vectors", () => {
    const hash = (t: string): string => fnv1a64(new TextEncoder().encode(t));
    expect(hash("")).toBe("cbf29ce484222325");
    expect(hash("a")).toBe("af63dc4c8601ec8c");
    expect(hash("foobar")).toBe("85944171f73967e8");
  });

  it("is equal for equal models, across a save and load, and ignores meta", () => {
    const s = embedded();
    const h = modelHash(s);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(modelHash(clone(s))).toBe(h);
    expect(modelHash(parseModel(serializeModel(s)))).toBe(h);
    expect(modelHash({ ...s, meta: { other: true } })).toBe(h);
  });

  it("changes when one weight moves by one f32 ulp, or a perm, or the spec changes", () => {
    const s = embedded();
    const h = modelHash(s);
    const ulp = clone(s);
    const bits = new Uint32Array(Float32Array.of(ulp.layers[1].weight[7]).buffer);
    bits[0] += 1;
    ulp.layers[1].weight[7] = new Float32Array(bits.buffer)[0];
    expect(modelHash(ulp)).not.toBe(h);
    const perm = clone(s);
    perm.outPerm = [2, 1, 0];
    expect(modelHash(perm)).not.toBe(h);
    expect(modelHash({ ...s, spec: { ...s.spec, layout: "grid" } })).not.toBe(h);
  });
});
