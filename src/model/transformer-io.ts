// Saving, loading and hashing transformers (docs/formats.md, "Transformer JSON"): version 2 of the
// model file, `{format: "brainwire.model", version: 2, kind: "transformer", spec, tensors, meta?}` with
// one flat row-major array per tensor of the spec's table (transformerTensors). Strings in, strings
// out, like io.ts, so this runs unchanged on every runtime.
import { checkFormat, describe, f32ArrayText, fnv1a64, ModelFormatError, parseJsonText, sortKeys } from "./io.ts";
import { MODEL_FORMAT } from "./spec.ts";
import { checkTransformerSpec, transformerTensors, type TransformerSpec } from "./transformer-spec.ts";

export const TRANSFORMER_VERSION = 2;

export interface TransformerSnapshot {
  format: typeof MODEL_FORMAT;
  version: typeof TRANSFORMER_VERSION;
  kind: "transformer";
  spec: TransformerSpec;
  /** Every tensor of transformerTensors(spec), by name, flat row-major (f32 values). */
  tensors: Record<string, number[]>;
  /** Free-form provenance: task, mode, seed, settings, metrics, import source. */
  meta?: Record<string, unknown>;
}

/** The spec's fields in file order; optional ones are written only when set. */
const SPEC_KEYS = ["kind", "vocab", "inDim", "outDim", "ctx", "dModel", "nHeads", "dHead", "nLayers", "dMlp", "norm",
  "act", "positions", "unembedBias"] as const;

/** A snapshot of named tensors (copied, rounded to f32), checked like a loaded file. */
export function transformerSnapshot(spec: TransformerSpec, tensors: Record<string, ArrayLike<number>>,
  meta?: Record<string, unknown>): TransformerSnapshot {
  const s: TransformerSnapshot = {
    format: MODEL_FORMAT, version: TRANSFORMER_VERSION, kind: "transformer", spec: structuredClone(spec),
    tensors: Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, Array.from(v)])),
  };
  if (meta) s.meta = meta;
  return validateTransformerSnapshot(s);
}

/**
 * Checks a transformer snapshot from anywhere (a parsed file, an HTTP body) and returns a typed copy
 * with its tensors rounded to f32. Throws ModelFormatError naming the field: the first spec field
 * that is wrong, or the first tensor of the table that is missing, mis-sized or holds a value that is
 * not a finite f32, or a tensor the table does not have.
 */
export function validateTransformerSnapshot(value: unknown): TransformerSnapshot {
  checkFormat(value);
  const v = value as Record<string, unknown>;
  if (v.version !== TRANSFORMER_VERSION) {
    throw new ModelFormatError(`version: expected ${TRANSFORMER_VERSION} for a transformer, got ${describe(v.version)}`);
  }
  if (v.kind !== "transformer") {
    throw new ModelFormatError(`kind: expected "transformer" (the only kind of version 2), got ${describe(v.kind)}`);
  }
  const known = ["format", "version", "kind", "spec", "tensors", "meta"];
  const extra = Object.keys(v).find((k) => !known.includes(k));
  if (extra !== undefined) throw new ModelFormatError(`invalid model: unknown field "${extra}"`);
  const spec = readSpec(v.spec);
  const tensors = readTensors(v.tensors, spec);
  const meta = v.meta;
  if (meta !== undefined && (typeof meta !== "object" || meta === null || Array.isArray(meta))) {
    throw new ModelFormatError(`meta: expected an object, got ${describe(meta)}`);
  }
  const s: TransformerSnapshot = { format: MODEL_FORMAT, version: TRANSFORMER_VERSION, kind: "transformer", spec, tensors };
  if (meta !== undefined) s.meta = meta as Record<string, unknown>;
  return s;
}

/** Parses a transformer file's text and validates it. */
export function parseTransformer(text: string): TransformerSnapshot {
  return validateTransformerSnapshot(parseJsonText(text));
}

/**
 * The file: fixed key order, one tensor per line in table order, each number the shortest text that
 * reads back to the same f32 (as the MLP file), meta's keys sorted.
 */
export function serializeTransformer(s: TransformerSnapshot): string {
  const v = validateTransformerSnapshot(s);
  const { tensors } = transformerTensors(v.spec);
  const lines = tensors.map((t) => `${JSON.stringify(t.name)}:${f32ArrayText(v.tensors[t.name])}`);
  const tail = v.meta ? `,\n"meta":${JSON.stringify(sortKeys(v.meta))}` : "";
  return `{"format":${JSON.stringify(MODEL_FORMAT)},"version":${TRANSFORMER_VERSION},"kind":"transformer",\n` +
    `"spec":${specText(v.spec)},\n"tensors":{\n${lines.join(",\n")}\n}${tail}}\n`;
}

/**
 * A stable 64-bit FNV-1a hash (16 hex digits) of the spec and the exact f32 bits of every tensor in
 * table order (little-endian); meta is left out. Equal to transformerParamsHash of the model's block.
 */
export function transformerHash(s: TransformerSnapshot): string {
  const layout = transformerTensors(s.spec);
  const params = new Float32Array(layout.total);
  for (const t of layout.tensors) params.set(s.tensors[t.name], t.offset);
  return transformerParamsHash(s.spec, params);
}

/** The same hash from the parameter block itself (layout order), e.g. Transformer.readParams(). */
export function transformerParamsHash(spec: TransformerSpec, params: Float32Array): string {
  const header = new TextEncoder().encode(`${specText(spec)};`);
  const bytes = new Uint8Array(header.length + params.byteLength);
  bytes.set(header);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < params.length; i++) view.setFloat32(header.length + 4 * i, params[i], true);
  return fnv1a64(bytes);
}

function specText(spec: TransformerSpec): string {
  const parts: string[] = [];
  for (const k of SPEC_KEYS) if (spec[k] !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(spec[k])}`);
  return `{${parts.join(",")}}`;
}

function readSpec(value: unknown): TransformerSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`spec: expected an object, got ${describe(value)}`);
  }
  const extra = Object.keys(value).find((k) => !(SPEC_KEYS as readonly string[]).includes(k));
  if (extra !== undefined) throw new ModelFormatError(`spec: unknown field "${extra}"`);
  const spec = structuredClone(value) as TransformerSpec;
  try {
    checkTransformerSpec(spec);
  } catch (e) {
    throw new ModelFormatError(`spec: ${(e as Error).message.replace(/^transformer: /, "")}`);
  }
  return spec;
}

function readTensors(value: unknown, spec: TransformerSpec): Record<string, number[]> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`tensors: expected an object of named arrays, got ${describe(value)}`);
  }
  const given = value as Record<string, unknown>;
  const layout = transformerTensors(spec);
  const out: Record<string, number[]> = {};
  for (const t of layout.tensors) {
    const where = `tensors[${JSON.stringify(t.name)}]`;
    const a = Object.hasOwn(given, t.name) ? given[t.name] : undefined;
    if (a === undefined) throw new ModelFormatError(`${where}: missing (the spec's table has it, [${t.shape.join(", ")}])`);
    if (!Array.isArray(a)) throw new ModelFormatError(`${where}: expected an array of numbers, got ${describe(a)}`);
    if (a.length !== t.size) {
      throw new ModelFormatError(`${where}: expected ${t.size} numbers ([${t.shape.join(", ")}]), got ${a.length}`);
    }
    const values = new Array<number>(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const f = typeof x === "number" ? Math.fround(x) : NaN;
      if (!Number.isFinite(f)) {
        throw new ModelFormatError(`${where}[${i}]: not a finite f32 (got ${typeof x === "number" ? x : describe(x)})`);
      }
      values[i] = f;
    }
    out[t.name] = values;
  }
  const extra = Object.keys(given).find((k) => !layout.byName.has(k));
  if (extra !== undefined) throw new ModelFormatError(`tensors[${JSON.stringify(extra)}]: not part of this spec's table`);
  return out;
}
