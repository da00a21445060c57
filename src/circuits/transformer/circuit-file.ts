// Transformer circuits as versioned JSON: version 2 of the circuit format (circuit-io.ts is version 1,
// the MLP's), `kind: "transformer"`, bound to the model's hash like every circuit. Edges are named
// ("0.3.out → 1.1.k") and indexed in the graph's edge order (graph.ts), so a file can be checked
// without the model: `graph` carries the sizes the graph is built from. Strings in, strings out.
//
// { "format": "brainwire.circuit", "version": 2, "kind": "transformer", "modelHash": "<16 hex>",
//   "graph": { "granularity", "nLayers", "nHeads", "dMlp", "dModel", "ctx", "edges": <all edges> },
//   "settings": { "method", "ablation", "metric", "order", "granularity", "tau"?, "outputs"?,
//                 "positions"?, "seed"?, "steps"?, "fraction"?, "topK"? },
//   "scores": { … TxCircuitScores fields, each optional },
//   "meta": { … provenance }?,
//   "edges": [ { "edge", "name", "effect" }, … ] }   one per line, ascending edge index
import { z } from "zod";
import { fnv1a64 } from "../../model/io.ts";
import type { Transformer } from "../../model/transformer.ts";
import { transformerParamsHash } from "../../model/transformer-io.ts";
import { CircuitFormatError } from "../circuit-io.ts";
import { ABLATIONS, CIRCUIT_FORMAT, METRICS, type Ablation, type Method, type MetricName } from "../types.ts";
import { buildGraph, GRANULARITIES, type Granularity, type GraphShape, type TxGraph } from "./graph.ts";
import type { TxCircuitScores } from "./score.ts";

export const TX_CIRCUIT_VERSION = 2;

const METHODS: readonly Method[] = ["acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc"];

export interface TxCircuitSettings {
  method: Method;
  ablation: Ablation;
  metric: MetricName;
  /** How edges were visited (ACDC) or ranked (EAP), in words. */
  order: string;
  granularity: Granularity;
  tau?: number;
  outputs?: number[];
  positions?: number[];
  seed?: number;
  steps?: number;
  fraction?: number;
  topK?: number;
}

export interface TxCircuitEdge {
  edge: number;
  name: string;
  effect: number;
}

export interface TxCircuit {
  format: typeof CIRCUIT_FORMAT;
  version: typeof TX_CIRCUIT_VERSION;
  kind: "transformer";
  modelHash: string;
  graph: GraphShape & { granularity: Granularity; edges: number };
  settings: TxCircuitSettings;
  scores: Partial<TxCircuitScores>;
  meta?: Record<string, unknown>;
  edges: TxCircuitEdge[];
}

const index = z.number().int("must be an integer").min(0, "must be ≥ 0");
const finite = z.number().refine(Number.isFinite, "must be a finite number");
const size = z.number().int("must be an integer").min(1, "must be ≥ 1");

const Schema = z.object({
  format: z.literal(CIRCUIT_FORMAT),
  version: z.literal(TX_CIRCUIT_VERSION),
  kind: z.literal("transformer"),
  modelHash: z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lowercase hex digits (the model's hash)"),
  graph: z.object({ granularity: z.enum(GRANULARITIES as [Granularity, ...Granularity[]]), nLayers: size, nHeads: size,
    dMlp: index, dModel: size, ctx: size, edges: index }),
  settings: z.object({
    method: z.enum(METHODS as [Method, ...Method[]]),
    ablation: z.enum(ABLATIONS as [Ablation, ...Ablation[]]),
    metric: z.enum(METRICS as [MetricName, ...MetricName[]]),
    order: z.string(),
    granularity: z.enum(GRANULARITIES as [Granularity, ...Granularity[]]),
    tau: finite.refine((t) => t > 0, "must be > 0").optional(),
    outputs: z.array(index).min(1, "must not be empty").optional(),
    positions: z.array(index).min(1, "must not be empty").optional(),
    seed: z.number().int("must be an integer").optional(),
    steps: size.optional(),
    fraction: finite.refine((f) => f >= 0 && f <= 1, "must be in [0, 1]").optional(),
    topK: index.optional(),
  }),
  scores: z.record(z.string(), z.unknown()),
  meta: z.record(z.string(), z.unknown()).optional(),
  edges: z.array(z.object({ edge: index, name: z.string(), effect: finite })),
});

/** The circuit `mask` (1 = kept, per edge of `graph`) of `model`, with each kept edge's effect. */
export function makeTxCircuit(model: Transformer, graph: TxGraph, mask: Uint8Array, effects: ArrayLike<number>,
  settings: TxCircuitSettings, scores: Partial<TxCircuitScores> = {}): TxCircuit {
  const s = model.spec;
  const edges: TxCircuitEdge[] = [];
  mask.forEach((m, e) => {
    // kept without a test of its own (embed's edges at node level): effect 0, which no tested kept edge has (Δ ≥ τ > 0)
    if (m) edges.push({ edge: e, name: graph.edges[e].name, effect: Number.isFinite(effects[e]) ? effects[e] : 0 });
  });
  return validateTxCircuit({
    format: CIRCUIT_FORMAT,
    version: TX_CIRCUIT_VERSION,
    kind: "transformer",
    modelHash: transformerParamsHash(s, model.readParams()),
    graph: { granularity: graph.granularity, nLayers: s.nLayers, nHeads: s.nHeads, dMlp: s.dMlp, dModel: s.dModel, ctx: s.ctx,
      edges: graph.edges.length },
    settings,
    scores,
    edges,
  });
}

/** Checks a transformer circuit from anywhere; with `model`, that it belongs to it. Throws CircuitFormatError. */
export function validateTxCircuit(value: unknown, model?: Transformer): TxCircuit {
  const r = Schema.safeParse(value);
  if (!r.success) {
    const shown = r.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    throw new CircuitFormatError(`invalid transformer circuit: ${shown.join("; ")}`);
  }
  const c = r.data as TxCircuit;
  const g = buildGraph(c.graph, c.graph.granularity);
  if (g.edges.length !== c.graph.edges) {
    throw new CircuitFormatError(`graph.edges: a ${c.graph.granularity} graph of these sizes has ${g.edges.length} edges, ` +
      `not ${c.graph.edges}`);
  }
  if (c.settings.granularity !== c.graph.granularity) {
    throw new CircuitFormatError(`settings.granularity: ${c.settings.granularity} differs from graph.granularity ${c.graph.granularity}`);
  }
  let last = -1;
  c.edges.forEach((e, k) => {
    if (e.edge >= g.edges.length) throw new CircuitFormatError(`edges[${k}]: edge ${e.edge} is not below ${g.edges.length}`);
    if (e.edge <= last) throw new CircuitFormatError(`edges[${k}]: edge ${e.edge} listed out of order or twice`);
    last = e.edge;
    if (e.name !== g.edges[e.edge].name) {
      throw new CircuitFormatError(`edges[${k}]: edge ${e.edge} is ${JSON.stringify(g.edges[e.edge].name)}, not ${JSON.stringify(e.name)}`);
    }
  });
  for (const o of c.settings.positions ?? []) {
    if (o >= c.graph.ctx) throw new CircuitFormatError(`settings.positions: ${o} is not a position < ${c.graph.ctx}`);
  }
  if (model) checkTxCircuitFor(c, model);
  return c;
}

/** Throws unless the circuit was made for exactly this model (its spec and weights). */
export function checkTxCircuitFor(c: TxCircuit, model: Transformer): void {
  const hash = transformerParamsHash(model.spec, model.readParams());
  if (c.modelHash !== hash) {
    throw new CircuitFormatError(`circuit is for another model: its modelHash is ${c.modelHash}, this model's is ${hash}`);
  }
}

/** The circuit's kept edges as a mask over its graph. */
export function txCircuitMask(c: TxCircuit): Uint8Array {
  const mask = new Uint8Array(c.graph.edges);
  for (const e of c.edges) mask[e.edge] = 1;
  return mask;
}

/** The circuit file: fixed key order, one edge per line. Validates first. */
export function serializeTxCircuit(c: TxCircuit): string {
  const v = validateTxCircuit(c);
  const edges = v.edges.map(({ edge, name, effect }) => `    ${JSON.stringify({ edge, name, effect })}`);
  return [
    "{",
    `  "format": ${JSON.stringify(v.format)},`,
    `  "version": ${v.version},`,
    `  "kind": "transformer",`,
    `  "modelHash": ${JSON.stringify(v.modelHash)},`,
    `  "graph": ${JSON.stringify(v.graph)},`,
    `  "settings": ${JSON.stringify(v.settings)},`,
    `  "scores": ${JSON.stringify(v.scores)},`,
    ...(v.meta ? [`  "meta": ${JSON.stringify(v.meta)},`] : []),
    edges.length ? `  "edges": [\n${edges.join(",\n")}\n  ]` : `  "edges": []`,
    "}",
    "",
  ].join("\n");
}

/** Is this parsed JSON a transformer circuit (version 2)? */
export function isTxCircuit(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { version?: unknown }).version === TX_CIRCUIT_VERSION;
}

/**
 * FNV-1a 64 of what the circuit is: its model's hash, granularity, and each kept edge (index as u32,
 * effect's f32 bits), little-endian, in edge order. Scores and timings are left out.
 */
export function txCircuitHash(c: TxCircuit): string {
  const head = new TextEncoder().encode(`${c.modelHash};${c.graph.granularity};`);
  const bytes = new Uint8Array(head.length + 8 * c.edges.length);
  bytes.set(head);
  const view = new DataView(bytes.buffer);
  c.edges.forEach((e, k) => {
    view.setUint32(head.length + 8 * k, e.edge, true);
    view.setFloat32(head.length + 8 * k + 4, e.effect, true);
  });
  return fnv1a64(bytes);
}
