import { describe, expect, it } from "vitest";
import { exportSafetensors, importSafetensors } from "../../src/model/safetensors.ts";
import { f32Bits, makeSnapshot } from "../viz/fixtures.ts";

type Entry = { dtype: string; shape: number[]; data: number[]; offsets?: [number, number] };

/** Hand-built file: u64 LE header length, JSON header, then each tensor's raw bytes (little-endian). */
function build(entries: Record<string, Entry>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, e] of Object.entries(entries)) {
    const bytes = encode(e.dtype, e.data);
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// F16/BF16 data are given as raw 16-bit patterns; F32/F64/I64 as values.
function encode(dtype: string, data: number[]): Uint8Array {
  const size = { F16: 2, BF16: 2, F32: 4, F64: 8, I64: 8 }[dtype]!;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => {
    if (size === 2) view.setUint16(2 * i, v, true);
    else if (dtype === "F32") view.setFloat32(4 * i, v, true);
    else if (dtype === "F64") view.setFloat64(8 * i, v, true);
    else view.setBigInt64(8 * i, BigInt(v), true);
  });
  return out;
}

const f32 = (dtype: string, shape: number[], data: number[]): Entry => ({ dtype, shape, data });

/** A valid nn.Sequential(Linear(2,3), SiLU, Linear(3,1)) file in F32. */
function sequential(): Record<string, Entry> {
  return {
    "0.weight": f32("F32", [3, 2], [1, 2, 3, 4, 5, 6]),
    "0.bias": f32("F32", [3], [0.5, -0.5, 0]),
    "2.weight": f32("F32", [1, 3], [-1, 0.25, 2]),
    "2.bias": f32("F32", [1], [0.125]),
  };
}

describe("importSafetensors", () => {
  it("reads an nn.Sequential MLP with identity perms", () => {
    const s = importSafetensors(build(sequential()));
    expect(s.spec).toEqual({ shape: [2, 3, 1], layout: "line", inFold: 1 });
    expect(s.layers[0].weight).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.layers[1]).toEqual({ weight: [-1, 0.25, 2], bias: [0.125] });
    expect(s.inPerm).toEqual([0, 1]);
    expect(s.outPerm).toEqual([0]);
    expect(s.meta).toMatchObject({ source: "safetensors", layers: "<i>.weight" });
  });

  it("decodes F16 and BF16 by hand-checked bit patterns, F64 rounded to f32", () => {
    const s = importSafetensors(build({
      // 1, −2, 0x3555 = 1365/4096, 2^-24 (smallest subnormal), 65504 (largest), −0
      "0.weight": f32("F16", [3, 2], [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x8000]),
      // 1, −5, 0x3eab → f32 0x3eab0000 = 0.333984375
      "0.bias": f32("BF16", [3], [0x3f80, 0xc0a0, 0x3eab]),
      "2.weight": f32("F64", [1, 3], [0.1, -3.5, 1e-3]),
      "2.bias": f32("BF16", [1], [0x0001]), // f32 bits 0x00010000 = 2^-133
    }));
    expect(s.layers[0].weight).toEqual([1, -2, 1365 / 4096, 2 ** -24, 65504, -0]);
    expect(Object.is(s.layers[0].weight[5], -0)).toBe(true);
    expect(s.layers[0].bias).toEqual([1, -5, 0.333984375]);
    expect(s.layers[1].weight).toEqual([Math.fround(0.1), -3.5, Math.fround(1e-3)]);
    expect(s.layers[1].bias).toEqual([2 ** -133]);
  });

  it("finds the BIMT reference's names, sorts indices numerically, infers inFold from the embedding", () => {
    const s = importSafetensors(build({
      "linears.10.linear.weight": f32("F32", [2, 3], [1, 2, 3, 4, 5, 6]),
      "linears.10.linear.bias": f32("F32", [2], [7, 8]),
      "linears.2.linear.weight": f32("F32", [3, 4], Array.from({ length: 12 }, (_, i) => i)),
      "linears.2.linear.bias": f32("F32", [3], [0, 0, 0]),
      embedding: f32("F32", [5, 2], Array.from({ length: 10 }, (_, i) => -i)),
      "optimizer.step": f32("I64", [], [100]), // unused tensors of other dtypes are fine
    }));
    expect(s.spec).toEqual({ shape: [4, 3, 2], layout: "line", inFold: 2, embed: { tokens: 5, dim: 2 } });
    expect(s.layers[1].bias).toEqual([7, 8]);
    expect(s.embedding![9]).toBe(-9);
    expect(s.inPerm).toEqual([0, 1]);
    expect(s.meta!.layers).toBe("linears.<i>.linear.weight");
  });

  it("fills a missing bias with zeros and records it", () => {
    const t = sequential();
    delete t["2.bias"];
    const s = importSafetensors(build(t), { layout: "grid" });
    expect(s.layers[1].bias).toEqual([0]);
    expect(s.meta!.missingBias).toEqual([1]);
    expect(s.spec.layout).toBe("grid");
  });

  it("asks for a prefix when several layer groups exist, and uses the one given", () => {
    const t = { ...sequential(), "head.0.weight": f32("F32", [1, 1], [9]) };
    expect(() => importSafetensors(build(t)))
      .toThrow(/several groups of linear layers \(<i>\.weight, head\.<i>\.weight\)/);
    expect(importSafetensors(build(t), { prefix: "head" }).layers[0].weight).toEqual([9]);
    expect(importSafetensors(build(t), { prefix: "" }).spec.shape).toEqual([2, 3, 1]);
  });
});

describe("exportSafetensors", () => {
  it("round-trips weights, embedding, layout, inFold and perms bit for bit", () => {
    const s = makeSnapshot({ shape: [8, 5, 3], inFold: 2, layout: "grid", embed: { tokens: 6, dim: 4 } }, 11);
    s.inPerm = [3, 1, 0, 2];
    s.outPerm = [2, 0, 1];
    const bytes = exportSafetensors(s);
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const back = importSafetensors(bytes);
    expect({ ...back, meta: undefined }).toEqual({ ...s, meta: undefined });
    s.layers.forEach((layer, l) => expect(f32Bits(back.layers[l].weight)).toEqual(f32Bits(layer.weight)));
    expect(back.meta!.layers).toBe("linears.<i>.weight");
  });
});

describe("importSafetensors errors name the problem", () => {
  const withHeader = (text: string, tail = 0): Uint8Array => {
    const h = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + h.length + tail);
    new DataView(out.buffer).setUint32(0, h.length, true);
    out.set(h, 8);
    return out;
  };
  const cases: [string, () => Uint8Array, RegExp][] = [
    ["short file", () => new Uint8Array(5), /file is 5 bytes, shorter than its 8-byte header length field/],
    ["header past the end", () => withHeader("{}").subarray(0, 9),
      /header length 2 runs past the end of the file \(9 bytes\)/],
    ["huge header length", () => Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0), /header length 4294967296 runs past/],
    ["header not JSON", () => withHeader("{nope"), /header is not valid UTF-8 JSON/],
    ["header not UTF-8", () => withHeader("\u00ff").map((b, i) => (i === 8 ? 0xff : b)), /header is not valid UTF-8/],
    ["header an array", () => withHeader("[]"), /header is not a JSON object/],
    ["entry without shape", () => withHeader(`{"a":{"dtype":"F32","data_offsets":[0,0]}}`),
      /tensor "a": shape: .*expected array/],
    ["offsets beyond buffer", () =>
      build({ ...sequential(), "2.bias": { ...f32("F32", [1], [1]), offsets: [56, 64] } }),
      /tensor "2\.bias": data_offsets \[56, 64\] run past the data buffer \(52 bytes\)/],
    ["offsets reversed", () => build({ ...sequential(), "2.bias": { ...f32("F32", [1], [1]), offsets: [8, 4] } }),
      /tensor "2\.bias": data_offsets \[8, 4\] are reversed/],
    ["offsets not matching dtype × shape", () => build({ ...sequential(), "2.bias": f32("F32", [2], [1]) }),
      /tensor "2\.bias": data_offsets \[48, 52\] span 4 bytes but F32 \[2\] needs 8/],
    ["overlap", () => build({ ...sequential(), "2.bias": { ...f32("F32", [1], [1]), offsets: [0, 4] } }),
      /tensors "0\.weight" \[0, 24\] and "2\.bias" \[0, 4\] overlap/],
    ["unsupported dtype", () => build({ ...sequential(), "2.bias": f32("I64", [1], [1]) }),
      /tensor "2\.bias" has unsupported dtype I64 \(supported: F32, F64, F16, BF16\)/],
    ["no linear layers", () => build({ "norm.weight": f32("F32", [2], [1, 1]) }),
      /no linear layers found: expected 2-D tensors named <prefix><i>\.weight .*found: norm\.weight/],
    ["no layers with that prefix", () => build(sequential()), /no linear layers found with prefix "linears\."/],
    ["layers do not chain", () => build({ ...sequential(), "2.weight": f32("F32", [1, 4], [1, 2, 3, 4]) }),
      /2\.weight has in = 4 but the layer before, 0\.weight, has out = 3: the layers do not chain/],
    ["bias shape", () => build({ ...sequential(), "0.bias": f32("F32", [1, 3], [1, 2, 3]) }),
      /0\.bias has shape \[1,3\], expected \[3\]/],
    ["NaN in F32", () => build({ ...sequential(), "2.weight": f32("F32", [1, 3], [1, NaN, 3]) }),
      /tensor "2\.weight" has a non-finite value \(NaN\) at index 1/],
    ["Inf in F16", () => build({ ...sequential(), "0.bias": f32("F16", [3], [0x3c00, 0x3c00, 0x7c00]) }),
      /tensor "0\.bias" has a non-finite value \(Infinity\) at index 2/],
    ["F64 beyond f32 range", () => build({ ...sequential(), "2.bias": f32("F64", [1], [1e300]) }),
      /tensor "2\.bias" has a non-finite value \(Infinity\) at index 0/],
    ["embedding dim not dividing", () =>
      build({ ...sequential(), "embedding.weight": f32("F32", [2, 3], [1, 2, 3, 4, 5, 6]) }),
      /embedding dim 3 does not divide the first layer's input 2/],
    ["bad saved metadata", () =>
      build(sequential(), { brainwire: `{"layout":"line","inFold":1,"inPerm":[0,0],"outPerm":[0]}` }),
      /inPerm is not a permutation/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const opts = name === "no layers with that prefix" ? { prefix: "linears" } : {};
      expect(() => importSafetensors(make(), opts)).toThrow(message);
    });
  }

  it("rejects a file truncated at any byte with a clear error", () => {
    const bytes = exportSafetensors(makeSnapshot({ shape: [3, 4, 2] }));
    const headerEnd = 8 + new DataView(bytes.buffer).getUint32(0, true);
    for (let cut = 0; cut < bytes.length; cut++) {
      const want = cut < 8 ? /shorter than its 8-byte/ : cut < headerEnd ? /header length \d+ runs past the end/
        : /run past the data buffer .*truncated file\?/;
      expect(() => importSafetensors(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(want);
    }
  });
});
