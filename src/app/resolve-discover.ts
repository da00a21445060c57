// Raw discovery input from any face → a DiscoverSpec, checked before any work: the model is a valid
// model of finite f32 weights that fits its data (inputs, outputs, and an embedding with a row for every
// token), the metric suits the task and the method, and the run fits the memory budget.
import { z } from "zod";
import { defaultMetric, METHODS, METRIC_TAU } from "../circuits/discover.ts";
import { MAX_DEPTH } from "../circuits/ablate-plan.ts";
import { logGrid } from "../circuits/sweep.ts";
import { ABLATIONS, METRICS, type MetricName, type Method } from "../circuits/types.ts";
import { validateSnapshot } from "../model/io.ts";
import type { ModelSnapshot, ModelSpec } from "../model/spec.ts";
import type { TaskKind } from "../tasks/types.ts";
import { checkBudget, DEFAULT_MEMORY_BUDGET, discoveryBytes } from "./budget.ts";
import { dataTask, readTable, textHash, type DataRecord, type DataSpec } from "./data-spec.ts";
import { findTask, taskKind } from "./registry.ts";
import { asObject, resolveData, type ResolveLimits } from "./resolve-train.ts";
import { listOf, oneOf, positive, seed, text, unit, wholeNumber, describe } from "./schema-parts.ts";
import type { DiscoverSpec, MlpDiscoverSpec, Pairs } from "./specs.ts";
import { isTransformerInput, resolveTransformerDiscover } from "./resolve-discover-transformer.ts";
import { GRANULARITIES } from "../circuits/transformer/graph.ts";
import { asUserError, fromZod, UserError } from "./user-error.ts";

/** EAP-IG interpolation points and τ-sweep points at most: beyond them a run takes hours, not seconds. */
export const MAX_IG_STEPS = 1000;
export const MAX_GRID = 100;

/** Discovery examples used by default (at most): the training split, up to this many. */
export const DEFAULT_EXAMPLES = 1000;

const rows = z.union([text(), z.array(z.array(z.number({ error: (iss) => `must be a number, got ${describe(iss.input)}` })))],
  { error: (iss) => `must be CSV text or an array of rows, got ${describe(iss.input)}` });

const DiscoverInput = z.strictObject({
  /** The model: a snapshot object (a parsed model file, trainModel's result, an HTTP body's field). */
  model: z.unknown().optional(),
  /** Default: the model's meta.task. */
  task: text().optional(),
  /** Seeds the task's data and the resample pairing; default the model's meta.seed. */
  seed: seed().optional(),
  /** The user data the model learned (contents); how to read it comes from the model's meta. */
  data: z.unknown().optional(),
  method: oneOf(METHODS).optional(),
  ablation: oneOf(ABLATIONS).optional(),
  /** "custom" (the library, with a metric function) runs ACDC the naive way with it. */
  metric: oneOf([...METRICS, "custom"] as const).optional(),
  tau: positive().optional(),
  topK: wholeNumber(0).optional(),
  fraction: unit().optional(),
  igSteps: wholeNumber(1, MAX_IG_STEPS).optional(),
  examples: wholeNumber(1).optional(),
  outputs: listOf(wholeNumber(0), true).optional(),
  /** Your own clean inputs and their corrupted partners (CSV text or rows), instead of the task's. */
  pairs: z.strictObject({ clean: rows, corrupted: rows }).optional(),
  /** Also run a τ sweep: true for the default grid, or the grid. */
  sweep: z.union([z.boolean(), listOf(positive(), true).refine((g) => g.length <= MAX_GRID,
    `must list at most ${MAX_GRID} τ values`)]).optional(),
  /** Transformers: the positions the metric scores. */
  positions: listOf(wholeNumber(0), true).optional(),
  /** Transformers: component, position or fine edges. */
  granularity: oneOf(GRANULARITIES).optional(),
});
export type DiscoverInput = z.input<typeof DiscoverInput>;

export type ParsedDiscoverInput = z.output<typeof DiscoverInput>;

export function resolveDiscover(raw: unknown, limits: ResolveLimits = {}): DiscoverSpec {
  const r = DiscoverInput.safeParse(asObject(raw));
  if (!r.success) throw fromZod(r.error);
  const o = r.data;
  if (o.model === undefined) throw new UserError("model", "required (a model as trainModel or the train route returns it)");
  if (isTransformerInput(o.model)) return resolveTransformerDiscover(o, limits);
  if (o.positions !== undefined) throw new UserError("positions", "applies to transformer models");
  if (o.granularity !== undefined) throw new UserError("granularity", "applies to transformer models");
  const model = modelOf(o.model);
  const depth = model.spec.shape.length - 1;
  if (depth > MAX_DEPTH) throw new UserError("model", `has ${depth} weight layers; discovery supports at most ${MAX_DEPTH}`);
  const meta = model.meta ?? {};
  const metaSeed = meta.seed === undefined ? undefined : seed().safeParse(meta.seed);
  if (metaSeed && !metaSeed.success) throw fromZod(metaSeed.error, "model.meta.seed");
  const runSeed = o.seed ?? metaSeed?.data;
  if (runSeed === undefined) throw new UserError("seed", "required: the model's meta records no seed");

  const record = dataRecordOf(meta.data);
  let data: DataSpec | undefined;
  let taskName: string;
  if (o.data !== undefined) {
    data = resolveData(o.data, record?.splitSeed ?? runSeed);
    if (o.task !== undefined && !(data.format === "idx" && o.task === "mnist")) {
      throw new UserError("task", "give a task or your data, not both");
    }
    if (data.format !== "idx") data = sameReading(data, record);
    taskName = data.format === "idx" ? "mnist" : "user";
  } else {
    const named = o.task ?? (typeof meta.task === "string" ? meta.task : undefined);
    if (named === undefined) throw new UserError("task", "required: the model's meta names no task");
    if (o.task === undefined && record) {
      throw new UserError("data", `the model learned your data${record.name ? ` (${record.name})` : ""}: pass it again`);
    }
    taskName = named;
  }
  const { kind, dims } = data ? dataShape(data) : builtInShape(taskName, o.task === undefined);
  checkFits(model.spec, dims, data ? "your data" : `task ${taskName}`);

  const method: Method = o.method ?? "acdc";
  const usesEap = method === "eap" || method === "eap-ig";
  const metric = o.metric ?? defaultMetric(kind, usesEap);
  if (metric === "custom") {
    if (method !== "acdc") throw new UserError("method", `a metric function runs with acdc, not ${method}`);
    if (o.tau === undefined) throw new UserError("tau", "required with a metric function (its scale is yours)");
    if (o.sweep !== undefined && o.sweep !== false) throw new UserError("sweep", "not with a metric function");
  } else {
    checkMetric(metric, method, kind, model.spec);
  }
  const dOut = model.spec.shape[model.spec.shape.length - 1];
  for (const [i, out] of (o.outputs ?? []).entries()) {
    if (out >= dOut) throw new UserError(`outputs[${i}]`, `${out} is not an output index < ${dOut}`);
  }
  if (o.outputs && new Set(o.outputs).size !== o.outputs.length) throw new UserError("outputs", "lists an output twice");
  if (o.outputs?.length === 0) throw new UserError("outputs", "must not be empty");

  const spec: MlpDiscoverSpec = { family: "mlp", model, task: taskName, seed: runSeed, method,
    ablation: o.ablation ?? "resample", metric, examples: o.examples ?? DEFAULT_EXAMPLES };
  if (data) spec.data = data;
  Object.assign(spec, selection(o, method, metric === "custom" ? undefined : metric));
  if (o.outputs) spec.outputs = o.outputs;
  if (o.pairs) spec.pairs = pairsOf(o.pairs, model.spec);
  const grid = sweepGrid(o);
  if (grid) spec.sweep = grid;
  const examples = spec.pairs ? spec.pairs.clean.length : spec.examples;
  checkBudget("model", `discovery on [${model.spec.shape}] with ${examples} examples`,
    discoveryBytes(model.spec, examples, examples), limits.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  return spec;
}

/**
 * How a discovery selects edges, for every family: τ (default by metric) or EAP's top-k, EAP→ACDC's
 * fraction, EAP-IG's points; an option that does not apply to the method is an error.
 */
export function selection(o: { tau?: number; topK?: number; fraction?: number; igSteps?: number }, method: Method,
  metric: MetricName | undefined): { tau?: number; topK?: number; fraction?: number; igSteps?: number } {
  const usesEap = method === "eap" || method === "eap-ig";
  if (o.topK !== undefined && !usesEap) throw new UserError("topK", `applies to eap and eap-ig, not ${method}`);
  if (o.fraction !== undefined && method !== "eap-acdc") throw new UserError("fraction", `applies to eap-acdc, not ${method}`);
  if (o.igSteps !== undefined && method !== "eap-ig") throw new UserError("igSteps", `applies to eap-ig, not ${method}`);
  const out: { tau?: number; topK?: number; fraction?: number; igSteps?: number } = {};
  if (o.topK !== undefined && o.tau === undefined) out.topK = o.topK;
  else out.tau = o.tau ?? METRIC_TAU[metric!];
  if (method === "eap-acdc") out.fraction = o.fraction ?? 0.1;
  if (method === "eap-ig") out.igSteps = o.igSteps ?? 5;
  return out;
}

/** The τ grid of a sweep (true: 1e-6, 3e-6, …, 1e-1), ascending; none without sweep. */
export function sweepGrid(o: { sweep?: boolean | number[]; pairs?: unknown }): number[] | undefined {
  if (o.sweep === undefined || o.sweep === false) return undefined;
  if (o.pairs) throw new UserError("sweep", "runs on the task's data, not on given pairs");
  const grid = o.sweep === true ? logGrid() : [...o.sweep].sort((a, b) => a - b);
  if (grid.length === 0) throw new UserError("sweep", "the τ grid is empty");
  return grid;
}

function modelOf(value: unknown): ModelSnapshot {
  try {
    return validateSnapshot(value);
  } catch (err) {
    throw asUserError(err, "model");
  }
}

/** What the task's data look like to a model: inputs per example (features or tokens), outputs, vocabulary. */
interface DataDims {
  inputs: number;
  outputs: number;
  tokens?: number;
}

function builtInShape(name: string, fromMeta: boolean): { kind: TaskKind; dims: DataDims } {
  let entry;
  try {
    entry = findTask(name);
  } catch (err) {
    if (!fromMeta) throw err;
    throw new UserError("task", `the model's meta names task ${JSON.stringify(name)}, which is not a built-in ` +
      "task: give the task, or the data it learned");
  }
  if (entry.family !== "mlp") throw new UserError("task", `task ${JSON.stringify(name)} is a ${entry.family} task`);
  const m = entry.task.settings.model;
  const dims: DataDims = { inputs: m.embed ? m.inFold : m.shape[0], outputs: m.shape[m.shape.length - 1] };
  if (m.embed) dims.tokens = m.embed.tokens;
  return { kind: taskKind(entry), dims };
}

function dataShape(d: DataSpec): { kind: TaskKind; dims: DataDims } {
  const ds = d.format === "idx" ? null : readTable(d);
  if (!ds) {
    const m = dataTask(d).settings.model;
    return { kind: "classification", dims: { inputs: m.shape[0], outputs: m.shape[m.shape.length - 1] } };
  }
  return { kind: ds.kind, dims: { inputs: ds.inputDim, outputs: ds.outputDim } };
}

/** The model reads exactly the data's inputs and writes its outputs; an embedding has a row for every token. */
function checkFits(spec: ModelSpec, dims: DataDims, what: string): void {
  const { shape, embed, inFold } = spec;
  const inputs = embed ? inFold : shape[0];
  const outputs = shape[shape.length - 1];
  const fail = (problem: string): never => {
    throw new UserError("model", `shape [${shape}]${embed ? ` with a ${embed.tokens}-token embedding` : ""} does not ` +
      `fit ${what}: ${problem}`);
  };
  if (!embed !== (dims.tokens === undefined)) {
    fail(dims.tokens === undefined ? "the data are features, not tokens" : "the data are token ids: it needs an embedding");
  }
  if (inputs !== dims.inputs) fail(`the data have ${dims.inputs} ${embed ? "tokens" : "inputs"} per example, the model reads ${inputs}`);
  if (outputs !== dims.outputs) fail(`the data have ${dims.outputs} outputs, the model ${outputs}`);
  if (embed && dims.tokens !== undefined && embed.tokens < dims.tokens) {
    fail(`the data have ${dims.tokens} tokens, the embedding only ${embed.tokens} rows`);
  }
}

function checkMetric(metric: MetricName, method: Method, kind: TaskKind, spec: ModelSpec): void {
  const outputs = spec.shape[spec.shape.length - 1];
  if ((metric === "nll" || metric === "logit-diff") && kind !== "classification") {
    throw new UserError("metric", `${metric} needs class labels; this is a regression task (use mse)`);
  }
  if ((metric === "kl" || metric === "logit-diff") && outputs < 2) {
    throw new UserError("metric", `${metric} needs at least two outputs; the model has one`);
  }
  if (metric === "kl" && kind === "regression") {
    throw new UserError("metric", "kl compares softmax outputs; this is a regression task (use mse)");
  }
  if (metric === "kl" && (method === "eap" || method === "eap-ig")) {
    throw new UserError("metric", `${method} needs a metric with a gradient at the clean run (nll, logit-diff or mse); ` +
      "KL to the full model has none");
  }
}

/** A model's meta.data, when it records one (models trained on user data since the app layer). */
function dataRecordOf(v: unknown): DataRecord | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  return v as DataRecord;
}

/** The table is read as the model's training read it: same targets, kind, split; and it is the same text. */
function sameReading(d: DataSpec & { format: "csv" | "json" }, record: DataRecord | undefined): DataSpec {
  if (!record) return d;
  if (record.hash !== undefined && textHash(d.text) !== record.hash) {
    throw new UserError("data", `${d.name ?? "the data given"} is not the data the model learned` +
      `${record.name ? ` (${record.name})` : ""}: its contents differ`);
  }
  const same = (field: string, given: unknown, recorded: unknown) => {
    if (given !== undefined && JSON.stringify(given) !== JSON.stringify(recorded)) {
      throw new UserError(`data.${field}`, `the model was trained with ${JSON.stringify(recorded ?? "the default")}, ` +
        `got ${JSON.stringify(given)}; leave it out (the model's meta has it)`);
    }
  };
  same("targets", d.targets, record.targets);
  same("testFraction", d.testFraction, record.testFraction);
  if (d.kind !== undefined) same("classification", d.kind === "classification", record.kind === "classification");
  const out: DataSpec = { ...d, splitSeed: record.splitSeed ?? d.splitSeed };
  if (record.targets) out.targets = record.targets;
  if (record.testFraction !== undefined) out.testFraction = record.testFraction;
  if (record.kind) out.kind = record.kind;
  return out;
}

function pairsOf(p: { clean: string | number[][]; corrupted: string | number[][] }, spec: ModelSpec): Pairs {
  const width = spec.embed ? spec.inFold : spec.shape[0];
  return pairRows(p, width, spec.embed?.tokens);
}

/** Clean and corrupted rows of `width` values each (token ids below `tokens` when given), paired row by row. */
export function pairRows(p: { clean: string | number[][]; corrupted: string | number[][] }, width: number, tokens?: number):
  Pairs {
  const clean = rowsOf(p.clean, "pairs.clean", width, tokens);
  const corrupted = rowsOf(p.corrupted, "pairs.corrupted", width, tokens);
  if (clean.length !== corrupted.length) {
    throw new UserError("pairs", `${clean.length} clean rows but ${corrupted.length} corrupted rows: they pair row by row`);
  }
  return { clean, corrupted };
}

/** Rows of a CSV text (a header row of names is skipped) or an array; each `width` finite numbers. */
function rowsOf(v: string | number[][], field: string, width: number, tokens: number | undefined): number[][] {
  let lines: { at: string; cells: unknown[] }[];
  if (typeof v === "string") {
    const all = v.split(/\r?\n/).map((l, i) => ({ at: `line ${i + 1}`, text: l.trim() })).filter((l) => l.text !== "");
    const header = all.length > 0 && all[0].text.split(",").some((c) => c.trim() !== "" && Number.isNaN(Number(c)));
    lines = (header ? all.slice(1) : all).map((l) => ({ at: l.at, cells: l.text.split(",").map((c) => c.trim()) }));
  } else {
    lines = v.map((cells, i) => ({ at: `row ${i}`, cells }));
  }
  if (lines.length === 0) throw new UserError(field, "no rows");
  return lines.map(({ at, cells }) => {
    if (cells.length !== width) throw new UserError(field, `${at}: ${cells.length} values, the model reads ${width}`);
    return cells.map((c, j) => {
      const x = typeof c === "number" ? c : c === "" ? NaN : Number(c);
      if (!Number.isFinite(x)) throw new UserError(field, `${at}, value ${j + 1}: ${describe(c)} is not a finite number`);
      if (tokens !== undefined && !(Number.isInteger(x) && x >= 0 && x < tokens)) {
        throw new UserError(field, `${at}, value ${j + 1}: ${x} is not a token id < ${tokens}`);
      }
      return x;
    });
  });
}
