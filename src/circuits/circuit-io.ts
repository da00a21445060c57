// Circuits as versioned JSON: the kept edges with their effect sizes, the settings that produced them,
// the hash and layer sizes of the model they belong to, and their scores. Strings in, strings out
// (like model/io.ts), so this runs unchanged on every runtime.
//
// { "format": "brainwire.circuit", "version": 1, "modelHash": "<16 hex>", "shape": [d_in, …, d_out],
//   "settings": { "method", "ablation", "metric", "order", "tau"?, "outputs"?, "seed"?, "steps"?,
//                 "fraction"?, "topK"? },
//   "scores": { … CircuitScores fields, each optional },
//   "meta": { … provenance: version, task, data, where it was scored }?,
//   "edges": [ { "layer", "to", "from", "effect", "name" }, … ] }   one edge per line, (layer, to, from) order;
//   "name" is "layer.from → layer+1.to" (read from older files without it, then added)
import { z } from "zod";
import type { Mlp } from "../model/mlp.ts";
import { modelHash } from "../model/io.ts";
import type { ModelSpec } from "../model/spec.ts";
import { edgeName, keptEdges } from "./graph.ts";
import type { CircuitScores } from "./score.ts";
import {
  ABLATIONS,
  CIRCUIT_FORMAT,
  CIRCUIT_VERSION,
  METRICS,
  type Ablation,
  type EdgeMask,
  type EdgeScores,
  type KeptEdge,
  type Method,
  type MetricName,
} from "./types.ts";

const METHODS: readonly Method[] = ["acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc"];

export interface CircuitSettings {
  method: Method;
  ablation: Ablation;
  /** "custom": a metric function given to the library. */
  metric: MetricName | "custom";
  /** How edges were visited (ACDC) or ranked (EAP), in words; stable for a given implementation. */
  order: string;
  /** ACDC's per-edge tolerance, or EAP's |score| threshold; absent for an EAP top-k selection. */
  tau?: number;
  /** Original output indices the metric was restricted to. */
  outputs?: number[];
  seed?: number;
  /** EAP-IG interpolation points. */
  steps?: number;
  /** EAP→ACDC: the fraction of edges, by EAP rank, that ACDC tested. */
  fraction?: number;
  /** EAP: the number of top edges kept. */
  topK?: number;
}

export interface Circuit {
  format: typeof CIRCUIT_FORMAT;
  version: typeof CIRCUIT_VERSION;
  modelHash: string;
  /** The model's layer sizes, so edges can be checked without the model at hand. */
  shape: number[];
  settings: CircuitSettings;
  /** Scores measured so far (scoreCircuit); a freshly discovered circuit may carry none. */
  scores: Partial<CircuitScores>;
  /** Provenance (src/app/provenance.ts); not part of what the circuit is (circuitHash leaves it out). */
  meta?: Record<string, unknown>;
  edges: KeptEdge[];
}

/** A circuit file or object that cannot be used; the message names the field and the problem. */
export class CircuitFormatError extends Error {
  override name = "CircuitFormatError";
}

const index = z.number().int("must be an integer").min(0, "must be ≥ 0");
const finite = z.number().refine(Number.isFinite, "must be a finite number");

const SettingsSchema = z.object({
  method: z.enum(METHODS as [Method, ...Method[]]),
  ablation: z.enum(ABLATIONS as [Ablation, ...Ablation[]]),
  metric: z.enum(["custom", ...METRICS] as ["custom", ...MetricName[]]),
  order: z.string(),
  tau: finite.refine((t) => t > 0, "must be > 0").optional(),
  outputs: z.array(index).min(1, "must not be empty").optional(),
  seed: z.number().int("must be an integer").optional(),
  steps: z.number().int("must be an integer").min(1, "must be ≥ 1").optional(),
  fraction: finite.refine((f) => f >= 0 && f <= 1, "must be in [0, 1]").optional(),
  topK: index.optional(),
});

const ScoresSchema = z.object({
  faithfulness: finite.optional(),
  faithfulnessMetric: z.enum(["kl", "mse"]).optional(),
  task: z.object({ metric: z.enum(["accuracy", "mse"]), circuit: finite, full: finite }).optional(),
  edges: index.optional(),
  totalEdges: index.optional(),
  sparsity: finite.optional(),
  neurons: index.optional(),
  totalNeurons: index.optional(),
  modularity: finite.optional(),
  timeMs: finite.optional(),
  evaluations: index.optional(),
  groundTruth: z.object({ precision: finite.nullable(), recall: finite }).optional(),
});

const CircuitSchema = z.object({
  format: z.literal(CIRCUIT_FORMAT),
  version: z.literal(CIRCUIT_VERSION),
  modelHash: z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lowercase hex digits (model/io.ts modelHash)"),
  shape: z.array(z.number().int("must be an integer").min(1, "must be ≥ 1")).min(2, "needs at least 2 layers"),
  settings: SettingsSchema,
  scores: ScoresSchema,
  meta: z.record(z.string(), z.unknown()).optional(),
  edges: z.array(z.object({ layer: index, to: index, from: index, effect: finite, name: z.string().optional() })),
});

/** The circuit `mask` of `model` with per-edge effects (ACDC's Δ or EAP's score), ready to save. */
export function makeCircuit(model: Mlp, mask: EdgeMask, effects: EdgeScores, settings: CircuitSettings,
  scores: Partial<CircuitScores> = {}): Circuit {
  return validateCircuit({
    format: CIRCUIT_FORMAT,
    version: CIRCUIT_VERSION,
    modelHash: modelHash(model.toSnapshot()),
    shape: [...model.spec.shape],
    settings,
    scores,
    edges: keptEdges(model.spec, mask, effects).map((e) => ({ ...e, name: edgeName(e) })),
  });
}

/**
 * Checks a circuit that came from anywhere and returns a typed copy. With `model`, also checks that
 * the circuit belongs to it (same hash and layer sizes). Throws CircuitFormatError.
 */
export function validateCircuit(value: unknown, model?: Mlp): Circuit {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CircuitFormatError(`invalid circuit: expected a JSON object, got ${describe(value)}`);
  }
  const { format, version } = value as { format?: unknown; version?: unknown };
  if (format !== CIRCUIT_FORMAT) {
    throw new CircuitFormatError(`format: expected "${CIRCUIT_FORMAT}", got ${describe(format)}`);
  }
  if (version !== CIRCUIT_VERSION) {
    throw new CircuitFormatError(`version: unsupported version ${describe(version)} (supported: ${CIRCUIT_VERSION})`);
  }
  const result = CircuitSchema.safeParse(value);
  if (!result.success) {
    const shown = result.error.issues.slice(0, 3).map((i) => `${pathText(i.path)}: ${i.message}`);
    const more = result.error.issues.length - shown.length;
    throw new CircuitFormatError(`invalid circuit: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`);
  }
  const c = result.data as Circuit;
  checkEdges(c);
  for (const e of c.edges) {
    const name = edgeName(e);
    if (e.name !== undefined && e.name !== name) {
      throw new CircuitFormatError(`edges: the edge (layer ${e.layer}, to ${e.to}, from ${e.from}) is named ` +
        `${JSON.stringify(e.name)}, not "${name}"`);
    }
    e.name = name;
  }
  if (model) checkCircuitFor(c, model);
  return c;
}

function checkEdges(c: Circuit): void {
  const { shape } = c;
  const depth = shape.length - 1;
  const seen = shape.slice(1).map((n, l) => new Uint8Array(n * shape[l]));
  c.edges.forEach((e, k) => {
    const where = `edges[${k}] (layer ${e.layer}, to ${e.to}, from ${e.from})`;
    if (e.layer >= depth) throw new CircuitFormatError(`${where}: the model has weight layers 0..${depth - 1}`);
    if (e.to >= shape[e.layer + 1] || e.from >= shape[e.layer]) {
      throw new CircuitFormatError(`${where}: out of range for a ${shape[e.layer + 1]}×${shape[e.layer]} layer`);
    }
    const i = e.to * shape[e.layer] + e.from;
    if (seen[e.layer][i]) throw new CircuitFormatError(`${where}: listed twice`);
    seen[e.layer][i] = 1;
  });
  const dOut = shape[depth];
  for (const o of c.settings.outputs ?? []) {
    if (o >= dOut) throw new CircuitFormatError(`settings.outputs: ${o} is not an output index < ${dOut}`);
  }
}

/** Throws unless the circuit was made for exactly this model (hash of its spec, weights and perms). */
export function checkCircuitFor(c: Circuit, model: Mlp): void {
  const { shape } = model.spec;
  if (c.shape.length !== shape.length || c.shape.some((n, l) => n !== shape[l])) {
    throw new CircuitFormatError(`circuit is for a model of shape [${c.shape}], this model is [${shape}]`);
  }
  const hash = modelHash(model.toSnapshot());
  if (c.modelHash !== hash) {
    throw new CircuitFormatError(`circuit is for another model: its modelHash is ${c.modelHash}, this model's is ${hash}`);
  }
}

/** Parses a circuit file's text (see serializeCircuit) and validates it, against `model` if given. */
export function parseCircuit(text: string, model?: Mlp): Circuit {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const hint = text.trim() === "" ? "the file is empty" : "truncated or not a circuit file?";
    throw new CircuitFormatError(`circuit file is not valid JSON (${hint}): ${(e as Error).message}`);
  }
  return validateCircuit(value, model);
}

/** The circuit file: JSON with a fixed key order, one edge per line. Validates first. */
export function serializeCircuit(c: Circuit): string {
  const v = validateCircuit(c);
  const edges = v.edges.map(({ layer, to, from, effect, name }) =>
    `    ${JSON.stringify({ layer, to, from, effect, name })}`);
  return [
    "{",
    `  "format": ${JSON.stringify(v.format)},`,
    `  "version": ${v.version},`,
    `  "modelHash": ${JSON.stringify(v.modelHash)},`,
    `  "shape": ${JSON.stringify(v.shape)},`,
    `  "settings": ${JSON.stringify(v.settings)},`,
    `  "scores": ${JSON.stringify(v.scores)},`,
    ...(v.meta ? [`  "meta": ${JSON.stringify(v.meta)},`] : []),
    edges.length ? `  "edges": [\n${edges.join(",\n")}\n  ]` : `  "edges": []`,
    "}",
    "",
  ].join("\n");
}

/** The circuit's kept edges as a mask over a model of `spec`'s shape. */
export function circuitMask(c: Circuit, spec: ModelSpec): EdgeMask {
  const { shape } = spec;
  if (c.shape.length !== shape.length || c.shape.some((n, l) => n !== shape[l])) {
    throw new CircuitFormatError(`circuit is for a model of shape [${c.shape}], this model is [${shape}]`);
  }
  checkEdges(c);
  const mask = shape.slice(1).map((n, l) => new Uint8Array(n * shape[l]));
  for (const e of c.edges) mask[e.layer][e.to * shape[e.layer] + e.from] = 1;
  return mask;
}

function pathText(path: PropertyKey[]): string {
  const parts = path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`));
  return parts.join("") || "(root)";
}

function describe(v: unknown): string {
  if (typeof v === "number" || v === null || v === undefined) return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? "an array" : typeof v;
}
