// Import of PyTorch-trained MLPs from safetensors files, and export for round trips and for PyTorch.
// Format (https://huggingface.co/docs/safetensors): u64 little-endian header length N, N bytes of
// JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}},
// then the data buffer; offsets are relative to the buffer's start. Tensor names: docs/formats.md.
import { z } from "zod";
import { validateSnapshot } from "./io.ts";
import { MODEL_FORMAT, MODEL_VERSION, type Layout, type ModelSnapshot } from "./spec.ts";

export interface SafetensorsImportOptions {
  /** Neuron coordinates; default "line" (or what a brainwire export recorded). */
  layout?: Layout;
  /** Input folds; default embedding → d_in / embedding dim, else 1 (or what a brainwire export recorded). */
  inFold?: number;
  /** Text before the layer index, e.g. "linears." or "" for nn.Sequential; detected when absent. */
  prefix?: string;
}

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number; // byte offsets into the data buffer
  end: number;
}

/** Bytes per element of every dtype the format defines, so unused tensors can still be checked. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};
const DECODABLE = ["F32", "F64", "F16", "BF16"];
const METADATA_KEY = "brainwire";

const EntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
const SavedSchema = z.object({
  layout: z.enum(["line", "grid"]),
  inFold: z.number().int().min(1),
  inPerm: z.array(z.number().int().min(0)),
  outPerm: z.array(z.number().int().min(0)),
});
type Saved = z.infer<typeof SavedSchema>;

/** Reads an MLP (linear layers, optional embedding) into a snapshot with identity perms. */
export function importSafetensors(bytes: Uint8Array, opts: SafetensorsImportOptions = {}): ModelSnapshot {
  const file = readSafetensors(bytes);
  const saved = readSaved(file.metadata);
  const { pattern, indices } = findLinearLayers(file.tensors, opts.prefix);
  const name = (i: number, kind: "weight" | "bias"): string =>
    pattern.replace("<i>", String(i)).replace(/weight$/, kind);

  const shape: number[] = [];
  const layers: ModelSnapshot["layers"] = [];
  const missingBias: number[] = [];
  indices.forEach((i, l) => {
    const w = file.tensors.get(name(i, "weight"))!;
    const [nOut, nIn] = w.shape;
    if (l === 0) shape.push(nIn);
    else if (nIn !== shape[l]) {
      throw new Error(`safetensors: ${w.name} has in = ${nIn} but the layer before, ` +
        `${name(indices[l - 1], "weight")}, has out = ${shape[l]}: the layers do not chain`);
    }
    shape.push(nOut);
    const b = file.tensors.get(name(i, "bias"));
    if (b && (b.shape.length !== 1 || b.shape[0] !== nOut)) {
      throw new Error(`safetensors: ${b.name} has shape [${b.shape}], expected [${nOut}]`);
    }
    // nn.Linear(bias=False) computes exactly what a zero bias does.
    if (!b) missingBias.push(l);
    layers.push({ weight: decodeTensor(file, w), bias: b ? decodeTensor(file, b) : new Array<number>(nOut).fill(0) });
  });

  const e = file.tensors.get("embedding.weight") ?? file.tensors.get("embedding");
  if (e && e.shape.length !== 2) {
    throw new Error(`safetensors: ${e.name} has shape [${e.shape}], expected [tokens, dim]`);
  }
  const embed = e ? { tokens: e.shape[0], dim: e.shape[1] } : undefined;
  if (embed && shape[0] % embed.dim !== 0) {
    throw new Error(`safetensors: embedding dim ${embed.dim} does not divide the first layer's input ${shape[0]}`);
  }
  const inFold = opts.inFold ?? saved?.inFold ?? (embed ? shape[0] / embed.dim : 1);
  const meta: Record<string, unknown> = { source: "safetensors", layers: pattern };
  if (missingBias.length > 0) meta.missingBias = missingBias;
  if (file.metadata) meta.metadata = file.metadata;

  const snapshot: ModelSnapshot = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    spec: { shape, layout: opts.layout ?? saved?.layout ?? "line", inFold, ...(embed && { embed }) },
    layers,
    ...(e && { embedding: decodeTensor(file, e) }),
    inPerm: saved?.inPerm ?? identity(shape[0] / inFold),
    outPerm: saved?.outPerm ?? identity(shape[shape.length - 1]),
    meta,
  };
  return validateSnapshot(snapshot);
}

/**
 * Writes F32 tensors `linears.<l>.weight` [out, in], `linears.<l>.bias` [out] and `embedding.weight`
 * [tokens, dim], with layout, inFold and perms in __metadata__.brainwire so an import restores them.
 * meta is not written.
 */
export function exportSafetensors(s: ModelSnapshot): Uint8Array {
  validateSnapshot(s);
  const tensors: SafetensorsTensor[] = [];
  s.layers.forEach((layer, l) => {
    const [nIn, nOut] = [s.spec.shape[l], s.spec.shape[l + 1]];
    tensors.push({ name: `linears.${l}.weight`, shape: [nOut, nIn], values: layer.weight },
      { name: `linears.${l}.bias`, shape: [nOut], values: layer.bias });
  });
  if (s.spec.embed && s.embedding) {
    tensors.push({ name: "embedding.weight", shape: [s.spec.embed.tokens, s.spec.embed.dim], values: s.embedding });
  }
  const saved: Saved = { layout: s.spec.layout, inFold: s.spec.inFold, inPerm: s.inPerm, outPerm: s.outPerm };
  return writeSafetensors(tensors, { format: "pt", [METADATA_KEY]: JSON.stringify(saved) });
}

/** One tensor to write: row-major values (rounded to f32) of the given shape. */
export interface SafetensorsTensor {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
}

/** A safetensors file of F32 tensors, data in the order given, with optional __metadata__. */
export function writeSafetensors(tensors: SafetensorsTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const { name, shape, values } of tensors) {
    if (shape.reduce((a, b) => a * b, 1) !== values.length) {
      throw new Error(`safetensors: tensor "${name}" has ${values.length} values but shape [${shape}]`);
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + 4 * values.length] };
    offset += 4 * values.length;
  }
  // Pad the header with spaces to a multiple of 8 so the data starts aligned, as the reference writer does.
  let text = JSON.stringify(header);
  text += " ".repeat((8 - ((8 + new TextEncoder().encode(text).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true); // high 32 bits stay 0
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { values } of tensors) {
    for (let i = 0; i < values.length; i++) {
      view.setFloat32(at, values[i], true);
      at += 4;
    }
  }
  return out;
}

/** A parsed file: every tensor's entry (checked against the data buffer) and the metadata. */
export interface SafetensorsFile {
  tensors: Map<string, TensorInfo>;
  metadata?: Record<string, string>;
  data: DataView;
}

/** Parses the header and checks every entry's offsets, sizes and overlaps; data is decoded on demand. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) {
    throw new Error(`safetensors: file is ${bytes.length} bytes, shorter than its 8-byte header length field`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    throw new Error(`safetensors: header length ${headerLength} runs past the end of the file ` +
      `(${bytes.length} bytes): truncated, or not a safetensors file?`);
  }
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`safetensors: header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new Error("safetensors: header is not a JSON object");
  }
  const dataStart = 8 + headerLength;
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, bytes.length - dataStart);
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> | undefined;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      const parsed = z.record(z.string(), z.string()).safeParse(entry);
      if (!parsed.success) throw new Error("safetensors: __metadata__ must map strings to strings");
      metadata = parsed.data;
      continue;
    }
    const parsed = EntrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`safetensors: tensor "${name}": ${issue.path.join(".") || "entry"}: ${issue.message}`);
    }
    tensors.set(name, checkEntry(name, parsed.data, data.byteLength));
  }
  checkOverlaps([...tensors.values()]);
  return { tensors, metadata, data };
}

function checkEntry(name: string, entry: z.infer<typeof EntrySchema>, dataLength: number): TensorInfo {
  const [begin, end] = entry.data_offsets;
  const where = `safetensors: tensor "${name}": data_offsets [${begin}, ${end}]`;
  if (begin > end) throw new Error(`${where} are reversed`);
  if (end > dataLength) {
    throw new Error(`${where} run past the data buffer (${dataLength} bytes): truncated file?`);
  }
  const size = DTYPE_BYTES[entry.dtype];
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (size !== undefined && end - begin !== count * size) {
    throw new Error(`${where} span ${end - begin} bytes but ${entry.dtype} [${entry.shape}] needs ${count * size}`);
  }
  return { name, dtype: entry.dtype, shape: entry.shape, begin, end };
}

function checkOverlaps(tensors: TensorInfo[]): void {
  const sorted = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let k = 1; k < sorted.length; k++) {
    const [a, b] = [sorted[k - 1], sorted[k]];
    if (b.begin < a.end) {
      throw new Error(`safetensors: tensors "${a.name}" [${a.begin}, ${a.end}] and "${b.name}" ` +
        `[${b.begin}, ${b.end}] overlap`);
    }
  }
}

function readSaved(metadata: Record<string, string> | undefined): Saved | undefined {
  const text = metadata?.[METADATA_KEY];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`safetensors: __metadata__.${METADATA_KEY} is not valid JSON`);
  }
  const parsed = SavedSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`safetensors: __metadata__.${METADATA_KEY}.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Groups 2-D `*.weight` tensors by the text around their last integer path component, e.g.
 * `0.weight` → "<i>.weight", `linears.3.linear.weight` → "linears.<i>.linear.weight".
 * Exactly one group must remain after filtering by prefix.
 */
function findLinearLayers(tensors: Map<string, TensorInfo>, prefix?: string): { pattern: string; indices: number[] } {
  const wanted = prefix === undefined || prefix === "" || prefix.endsWith(".") ? prefix : `${prefix}.`;
  const groups = new Map<string, number[]>();
  for (const t of tensors.values()) {
    const parts = t.name.split(".");
    let k = parts.length - 2;
    while (k >= 0 && !/^\d+$/.test(parts[k])) k--;
    if (parts[parts.length - 1] !== "weight" || t.shape.length !== 2 || k < 0) continue;
    const before = parts.slice(0, k).map((p) => `${p}.`).join("");
    if (wanted !== undefined && before !== wanted) continue;
    const pattern = [...parts.slice(0, k), "<i>", ...parts.slice(k + 1)].join(".");
    groups.set(pattern, [...(groups.get(pattern) ?? []), Number(parts[k])]);
  }
  if (groups.size === 0) {
    const names = [...tensors.keys()];
    const found = names.length === 0 ? "the file has no tensors" :
      `found: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}`;
    const within = wanted === undefined ? "" : ` with prefix "${wanted}"`;
    throw new Error(`safetensors: no linear layers found${within}: expected 2-D tensors named ` +
      `<prefix><i>.weight (e.g. 0.weight, linears.0.weight); ${found}`);
  }
  if (groups.size > 1) {
    throw new Error(`safetensors: several groups of linear layers (${[...groups.keys()].join(", ")}): ` +
      "pass the prefix option to choose one");
  }
  const [[pattern, indices]] = groups;
  return { pattern, indices: indices.sort((a, b) => a - b) };
}

/** A tensor's values as numbers (F32, F64 rounded to f32, F16, BF16); refuses non-finite values, naming the index. */
export function decodeTensor(file: SafetensorsFile, t: TensorInfo): number[] {
  if (!DECODABLE.includes(t.dtype)) {
    throw new Error(`safetensors: tensor "${t.name}" has unsupported dtype ${t.dtype} ` +
      `(supported: ${DECODABLE.join(", ")})`);
  }
  const size = DTYPE_BYTES[t.dtype];
  const n = (t.end - t.begin) / size;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const at = t.begin + i * size;
    const v = t.dtype === "F32" ? file.data.getFloat32(at, true)
      : t.dtype === "F64" ? Math.fround(file.data.getFloat64(at, true))
      : t.dtype === "F16" ? f16ToNumber(file.data.getUint16(at, true))
      : bf16ToNumber(file.data.getUint16(at, true));
    if (!Number.isFinite(v)) {
      throw new Error(`safetensors: tensor "${t.name}" has a non-finite value (${v}) at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

// IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. Every value is an exact f32.
function f16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// bfloat16 is the top half of an f32, so widening is a 16-bit shift.
const bfScratch = new DataView(new ArrayBuffer(4));
function bf16ToNumber(bits: number): number {
  bfScratch.setUint32(0, bits << 16);
  return bfScratch.getFloat32(0);
}

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
