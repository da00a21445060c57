// Saving, loading and hashing models (docs/formats.md). Strings in, strings out: reading the file
// is the caller's business, so this runs unchanged in Node, Deno and browsers.
import { z } from "zod";
import { MODEL_FORMAT, MODEL_VERSION, type ModelSnapshot, type ModelSpec } from "./spec.ts";

const SUPPORTED_VERSIONS = [MODEL_VERSION];

/** A model file or object that cannot be used; the message names the field and the problem. */
export class ModelFormatError extends Error {
  override name = "ModelFormatError";
}

// Structure and types only; the checks that relate fields to each other follow in checkConsistency,
// where the messages can state the expected and the actual values.
// Finite as an f32 too: 1e39 is a finite double but rounds to Infinity in the engine.
const finite = z.number({ error: (iss) => `not a finite number (got ${describe(iss.input)})` })
  .refine((v) => Number.isFinite(Math.fround(v)), { error: (iss) => `${describe(iss.input)} is not a finite f32 ` +
    "(|value| ≤ 3.4028235e38)" });
const count = z.number().int("must be an integer").min(1, "must be ≥ 1");
const index = z.number().int("must be an integer").min(0, "must be ≥ 0");
// The engine holds f32, and files store the shortest decimal of each f32 (see serializeModel):
// rounding here makes a loaded tensor bit-identical to the one that was saved.
const tensor = z.array(finite).transform((values) => values.map(Math.fround));

const SpecSchema = z.object({
  shape: z.array(count).min(2, "needs at least 2 layers (input and output)"),
  layout: z.enum(["line", "grid"]),
  inFold: count,
  embed: z.object({ tokens: count, dim: count }).optional(),
});

const SnapshotSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  spec: SpecSchema,
  layers: z.array(z.object({ weight: tensor, bias: tensor })),
  embedding: tensor.optional(),
  inPerm: z.array(index),
  outPerm: z.array(index),
  meta: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Checks a snapshot that came from anywhere (a parsed file, an HTTP body) and returns a typed copy
 * with its tensors rounded to f32. Throws ModelFormatError naming the first problems found.
 */
export function validateSnapshot(value: unknown): ModelSnapshot {
  checkHeader(value);
  const result = SnapshotSchema.safeParse(value);
  if (!result.success) {
    const shown = result.error.issues.slice(0, 3).map((i) => `${pathText(i.path)}: ${i.message}`);
    const more = result.error.issues.length - shown.length;
    throw new ModelFormatError(`invalid model: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`);
  }
  const s = result.data as ModelSnapshot;
  checkConsistency(s);
  return s;
}

/** Parses a model file's text (see serializeModel) and validates it. */
export function parseModel(text: string): ModelSnapshot {
  return validateSnapshot(parseJsonText(text));
}

/** JSON.parse with a ModelFormatError that says what the text looks like. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const hint = text.trim() === "" ? "the file is empty" : "truncated or not a model file?";
    throw new ModelFormatError(`model file is not valid JSON (${hint}): ${(e as Error).message}`);
  }
}

/**
 * The model file: JSON with a fixed key order (meta's keys sorted), one layer per line. Weights are
 * f32 in the engine, so each number is written as the shortest text that reads back to the same f32;
 * values that are not f32 are rounded to the nearest f32 (Math.fround).
 */
export function serializeModel(s: ModelSnapshot): string {
  validateSnapshot(s);
  const head = [
    `"format":${JSON.stringify(s.format)}`,
    `"version":${s.version}`,
    `"spec":${specText(s.spec)}`,
  ];
  const layers = s.layers.map((l) => `{"weight":${f32ArrayText(l.weight)},"bias":${f32ArrayText(l.bias)}}`);
  const tail = [];
  if (s.embedding) tail.push(`"embedding":${f32ArrayText(s.embedding)}`);
  tail.push(`"inPerm":${JSON.stringify(s.inPerm)}`, `"outPerm":${JSON.stringify(s.outPerm)}`);
  if (s.meta) tail.push(`"meta":${JSON.stringify(sortKeys(s.meta))}`);
  return `{${head.join(",")},\n"layers":[\n${layers.join(",\n")}\n],\n${tail.join(",\n")}}\n`;
}

/**
 * A stable 64-bit FNV-1a hash (16 hex digits) of what makes the model compute what it computes:
 * the spec, the exact f32 bits of every weight, bias and embedding entry (little-endian), and the
 * perms. meta is left out, so provenance notes do not change a model's identity. FNV-1a changes
 * whenever any single byte changes (each step is a bijection), so a one-ulp edit always shows.
 */
export function modelHash(s: ModelSnapshot): string {
  const perms = `${JSON.stringify(s.inPerm)};${JSON.stringify(s.outPerm)}`;
  const header = new TextEncoder().encode(`${specText(s.spec)};${perms};`);
  const tensors = [...s.layers.flatMap((l) => [l.weight, l.bias]), s.embedding ?? []];
  const size = tensors.reduce((n, t) => n + 4 * t.length, 0);
  const bytes = new Uint8Array(header.length + size);
  bytes.set(header);
  const view = new DataView(bytes.buffer);
  let at = header.length;
  for (const t of tensors) {
    for (const v of t) {
      view.setFloat32(at, v, true); // rounds with Math.fround semantics
      at += 4;
    }
  }
  return fnv1a64(bytes);
}

/** FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 2^40 + 0x1b3), in two 32-bit halves. */
export function fnv1a64(bytes: Uint8Array): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    // h · (2^40 + 0x1b3) mod 2^64: lo·0x1b3 fits a double exactly (< 2^41); 2^40 moves lo into hi by 8 bits.
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

function checkHeader(value: unknown): void {
  checkFormat(value);
  const { version, kind } = value as { version?: unknown; kind?: unknown };
  if (version === 2 && kind === "transformer") {
    throw new ModelFormatError('this is a transformer model (version 2, kind "transformer"); expected an MLP (version 1)');
  }
  if (!SUPPORTED_VERSIONS.includes(version as number)) {
    throw new ModelFormatError(
      `version: unsupported version ${describe(version)} (supported: ${SUPPORTED_VERSIONS.join(", ")})`,
    );
  }
}

/** The value is an object whose format is brainwire.model (any version). */
export function checkFormat(value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`invalid model: expected a JSON object, got ${describe(value)}`);
  }
  const { format } = value as { format?: unknown };
  if (format !== MODEL_FORMAT) {
    throw new ModelFormatError(`format: expected "${MODEL_FORMAT}", got ${describe(format)}`);
  }
}

function checkConsistency(s: ModelSnapshot): void {
  const { shape, inFold, embed } = s.spec;
  const fail = (msg: string): never => {
    throw new ModelFormatError(`invalid model: ${msg}`);
  };
  if (shape[0] % inFold !== 0) fail(`spec.inFold ${inFold} does not divide spec.shape[0] = ${shape[0]}`);
  if (embed && shape[0] !== inFold * embed.dim) {
    fail(`spec.shape[0] = ${shape[0]} but spec.inFold · spec.embed.dim = ${inFold} · ${embed.dim}`);
  }
  if (s.layers.length !== shape.length - 1) {
    fail(`layers: expected ${shape.length - 1} (shape has ${shape.length} neuron layers), got ${s.layers.length}`);
  }
  s.layers.forEach((layer, l) => {
    const [nIn, nOut] = [shape[l], shape[l + 1]];
    if (layer.weight.length !== nOut * nIn) {
      fail(`layers[${l}].weight: expected ${nOut * nIn} numbers (out ${nOut} × in ${nIn}), got ${layer.weight.length}`);
    }
    if (layer.bias.length !== nOut) fail(`layers[${l}].bias: expected ${nOut} numbers, got ${layer.bias.length}`);
  });
  if (embed && !s.embedding) fail("embedding: missing (spec.embed is set)");
  if (!embed && s.embedding) fail("embedding: present but spec.embed is not set");
  if (embed && s.embedding && s.embedding.length !== embed.tokens * embed.dim) {
    fail(`embedding: expected ${embed.tokens * embed.dim} numbers (tokens ${embed.tokens} × dim ${embed.dim}), ` +
      `got ${s.embedding.length}`);
  }
  checkPerm("inPerm", s.inPerm, shape[0] / inFold, fail);
  checkPerm("outPerm", s.outPerm, shape[shape.length - 1], fail);
}

function checkPerm(name: string, perm: number[], n: number, fail: (msg: string) => never): void {
  if (perm.length !== n) fail(`${name}: expected length ${n}, got ${perm.length}`);
  const seen = new Uint8Array(n);
  perm.forEach((p, i) => {
    if (p >= n) fail(`${name}[${i}] = ${p} is out of range 0..${n - 1}`);
    if (seen[p]) fail(`${name} is not a permutation: ${p} appears twice`);
    seen[p] = 1;
  });
}

function specText(spec: ModelSpec): string {
  const parts = [`"shape":${JSON.stringify(spec.shape)}`, `"layout":"${spec.layout}"`, `"inFold":${spec.inFold}`];
  if (spec.embed) parts.push(`"embed":{"tokens":${spec.embed.tokens},"dim":${spec.embed.dim}}`);
  return `{${parts.join(",")}}`;
}

/** `[a,b,…]` with each value as the shortest text that reads back to the same f32. */
export function f32ArrayText(values: ArrayLike<number>): string {
  return `[${Array.from(values, f32Text).join(",")}]`;
}

// Shortest decimal that reads back to the same f32: at most 9 significant digits are ever needed.
function f32Text(v: number): string {
  const f = Math.fround(v);
  if (Object.is(f, -0)) return "-0";
  for (let p = 1; p < 9; p++) {
    const short = Number(f.toPrecision(p));
    if (Math.fround(short) === f) return String(short);
  }
  return String(Number(f.toPrecision(9)));
}

/** A copy with every object's keys sorted (stable JSON for meta). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** A zod issue path as text: `layers[2].weight`. */
export function pathText(path: PropertyKey[]): string {
  const text = path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");
  return text || "(root)";
}

/** A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (typeof v === "number" || v === null || v === undefined) return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? "an array" : typeof v;
}
