// The library's functions (the package's root export, src/index.ts): plain data in, plain data out,
// every option checked by the app layer's resolvers (an unknown key, a bad value, a model that does not
// fit its data: a UserError naming it). Like tfjs's fit and auto-circuit's prune functions, one call
// does one thing: train, discover, score, predict; load/save files; draw.
import {
  asUserError,
  resolveDiscover,
  resolveTrain,
  runDiscovery,
  runScoring,
  runTraining,
  UserError,
  type DiscoverProgress,
  type DiscoverSpec,
  type MlpDiscoverResult,
  type TransformerDiscoverResult,
  type MetricFunction,
  type RunContext,
  type TrainProgress,
  type TrainResult,
  type TrainSpec,
} from "./app/index.ts";
import { circuitMask, parseCircuit, serializeCircuit, validateCircuit, type Circuit } from "./circuits/circuit-io.ts";
import type { CircuitScores } from "./circuits/score.ts";
import type { Ablation, EdgeMask, Method, MetricName } from "./circuits/types.ts";
import { createEngine, type Engine } from "./engine/engine.ts";
import { parseModel, serializeModel, validateSnapshot } from "./model/io.ts";
import { Mlp } from "./model/mlp.ts";
import { predict as forward } from "./model/pass.ts";
import type { ModelSnapshot } from "./model/spec.ts";
import type { LambdaPhase } from "./tasks/types.ts";
import type { Mode } from "./train/modes.ts";
import { drawNetwork, type DrawNetworkOptions } from "./viz/network-svg.ts";

/** The built-in tasks (src/tasks); `data` trains on your own instead. */
export type TaskName =
  | "symbolic-independence"
  | "symbolic-sharing"
  | "symbolic-composition"
  | "two-moons"
  | "modular-addition"
  | "permutation-s4"
  | "mnist";

/** Your own table: the text of a CSV or JSON file (docs/data.md), and how to read it. */
export interface DataOptions {
  text: string;
  /** Default: from `name`'s extension. */
  format?: "csv" | "json";
  /** A file name, for messages (and the format). */
  name?: string;
  targets?: string[] | string;
  classification?: boolean;
  testFraction?: number;
}

/** What a run is given besides its options: none of it is checked or recorded. */
interface Context<P> {
  /** Default: a fresh engine. */
  engine?: Engine;
  onProgress?: (p: P) => void;
  /** Milliseconds between progress reports (default 100). */
  progressEveryMs?: number;
  signal?: AbortSignal;
  /** Bytes a run may need before it is refused (default 2 GiB). */
  memoryBudget?: number;
}

export interface TrainOptions extends Context<TrainProgress> {
  task?: TaskName;
  mode?: Mode;
  seed?: number;
  steps?: number;
  lr?: number;
  /** λ: a number, "1e-3,5000:1e-2", or phases. */
  lambda?: number | string | LambdaPhase[];
  /** Layer sizes; input and output are the task's. */
  shape?: number[] | string;
  batch?: number;
  swapEvery?: number;
  topK?: number;
  weightFactor?: number;
  l0?: number;
  costForm?: "sum" | "mean";
  permuteAdam?: boolean;
  data?: DataOptions;
  /** Progress reports carry the model so far at most every this many ms (and at the end). */
  modelEveryMs?: number;
}

/**
 * A metric given as a function (library only): the circuit's outputs and the full model's, n × outputs
 * in original output order, to a number that is smaller when the circuit does what the model does.
 * ACDC (the naive run, one forward pass per edge test) removes an edge when it raises this by less than τ.
 */
export type { MetricFunction };

export interface DiscoverOptions extends Context<DiscoverProgress> {
  /** Default: the model's meta. */
  task?: TaskName;
  seed?: number;
  /** The user data the model learned (how to read it comes from the model's meta). */
  data?: DataOptions;
  method?: Method;
  ablation?: Ablation;
  metric?: MetricName | MetricFunction;
  tau?: number;
  topK?: number;
  fraction?: number;
  igSteps?: number;
  examples?: number;
  outputs?: number[];
  /** Your own clean inputs and their corrupted partners (rows, or CSV text). */
  pairs?: { clean: number[][] | string; corrupted: number[][] | string };
  /** Also sweep τ: true for the default grid, or the grid. */
  sweep?: boolean | number[];
}

/** An MLP's circuit, with its kept edges as masks too (one per weight layer, out × in, for draw()). */
export interface Discovered extends MlpDiscoverResult {
  mask: EdgeMask;
}

const CONTEXT_KEYS = ["engine", "onProgress", "progressEveryMs", "signal", "memoryBudget", "modelEveryMs"] as const;

function split(o: object): { raw: Record<string, unknown>; ctx: RunContext<never> & { memoryBudget?: number } } {
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new UserError("options", `must be an object of options, got ${Array.isArray(o) ? "an array" : String(o)}`);
  }
  const raw: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  const ctx: Record<string, unknown> = {};
  for (const k of CONTEXT_KEYS) {
    if (k in raw) {
      ctx[k] = raw[k];
      delete raw[k];
    }
  }
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  return { raw, ctx: ctx as RunContext<never> & { memoryBudget?: number } };
}

/** Trains a model: a built-in task (or `data`) in a mode, with any setting overridden. Aborting keeps the model so far. */
export async function train(options: TrainOptions = {}): Promise<TrainResult> {
  const { ctx } = split(options);
  return runTraining(trainSpec(options), ctx as RunContext<TrainProgress>);
}

/** The run spec train(options) runs: every default filled in, every option checked (plain JSON). */
export function trainSpec(options: TrainOptions = {}): TrainSpec {
  const { raw, ctx } = split(options);
  return resolveTrain(raw, { memoryBudget: ctx.memoryBudget });
}

/**
 * Finds the circuit of a model (a snapshot: train()'s `model`, or load()'s), rebuilding its task's data
 * from the model's meta, and scores it on held-out data. ACDC unless `method` says otherwise.
 */
export async function discover(model: ModelSnapshot, options?: DiscoverOptions): Promise<Discovered>;
/** A model read from anywhere: an MLP's circuit (Discovered), or a transformer's (its own circuit type). */
export async function discover(model: unknown, options?: DiscoverOptions): Promise<Discovered | TransformerDiscoverResult>;
export async function discover(model: unknown, options: DiscoverOptions = {}): Promise<Discovered | TransformerDiscoverResult> {
  const { ctx } = split(options);
  const spec = discoverSpec(model, options);
  const fn = typeof options.metric === "function" ? options.metric : undefined;
  const d = await runDiscovery(spec, { ...(ctx as RunContext<DiscoverProgress>), metric: fn });
  if (d.family !== "mlp" || spec.family !== "mlp") return d as TransformerDiscoverResult;
  return { ...d, mask: circuitMask(d.circuit, spec.model.spec) };
}

/** The run spec discover(model, options) runs (a metric function becomes metric "custom"). */
export function discoverSpec(model: unknown, options: DiscoverOptions = {}): DiscoverSpec {
  const { raw, ctx } = split(options);
  if (typeof raw.metric === "function") raw.metric = "custom";
  return resolveDiscover({ ...raw, model }, { memoryBudget: ctx.memoryBudget });
}

export interface ScoreOptions {
  task?: TaskName;
  seed?: number;
  data?: DataOptions;
  /** Default: the circuit's own ablation. */
  ablation?: Ablation;
  engine?: Engine;
}

/** Scores a circuit of a model on its task's held-out data (the scores discovery gives, measured again). */
export async function score(model: unknown, circuit: unknown, options: ScoreOptions = {}): Promise<CircuitScores> {
  const { raw, ctx } = split(options);
  const c = circuitOf(circuit);
  const ablation = raw.ablation ?? c.settings.ablation;
  delete raw.ablation;
  const spec = resolveDiscover({ ...raw, model, ablation, ...(c.settings.outputs ? { outputs: c.settings.outputs } : {}) });
  return runScoring(spec, c, ctx);
}

/**
 * The model's outputs (original output order) for each row of inputs (original feature order, or token
 * ids for an embedding model), computed by the engine; no buffers to manage.
 */
export async function predict(model: unknown, inputs: number[][], options: { engine?: Engine } = {}): Promise<number[][]> {
  const s = modelOf(model);
  const { shape, embed, inFold } = s.spec;
  const width = embed ? inFold : shape[0];
  if (!Array.isArray(inputs)) throw new UserError("inputs", "must be an array of rows");
  inputs.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw new UserError(`inputs[${r}]`, `must be ${width} numbers (the model's inputs), got ${Array.isArray(row) ? row.length : typeof row}`);
    }
    row.forEach((v, j) => {
      const ok = embed ? Number.isInteger(v) && v >= 0 && v < embed.tokens : Number.isFinite(v);
      if (!ok) throw new UserError(`inputs[${r}][${j}]`, embed ? `${v} is not a token id < ${embed.tokens}` : `${v} is not a finite number`);
    });
  });
  if (inputs.length === 0) return [];
  const e = options.engine ?? (await createEngine());
  const m = Mlp.fromSnapshot(e, s);
  try {
    const flat = embed ? Int32Array.from(inputs.flat()) : Float32Array.from(inputs.flat());
    const out = forward(m, flat, width);
    const dOut = shape[shape.length - 1];
    return inputs.map((_, r) => Array.from(out.subarray(r * dOut, (r + 1) * dOut)));
  } finally {
    m.dispose();
  }
}

/** A model file's text → the model (a UserError of "model" naming the field at fault). */
export function load(text: string): ModelSnapshot {
  return asField("model", () => parseModel(text));
}

/** The model as a file's text (f32 exact, one layer per line). */
export function save(model: ModelSnapshot): string {
  return serializeModel(modelOf(model));
}

export function loadCircuit(text: string): Circuit {
  return asField("circuit", () => parseCircuit(text));
}

export function saveCircuit(circuit: Circuit): string {
  return serializeCircuit(circuitOf(circuit));
}

export interface DrawOptions extends Omit<DrawNetworkOptions, "circuit"> {
  /** A circuit of this model (discover()'s `circuit`, or a loaded one), or its masks. */
  circuit?: Circuit | EdgeMask;
}

/** The network as SVG (neurons at their coordinates, lines by |w| and sign), a circuit drawn over it. */
export function draw(model: ModelSnapshot, options: DrawOptions = {}): string {
  const s = modelOf(model);
  const { circuit, ...rest } = options;
  const names = (k: string) => (Array.isArray(s.meta?.[k]) ? (s.meta![k] as string[]) : undefined);
  const kept = circuit === undefined ? undefined : Array.isArray(circuit) ? circuit : circuitMask(circuitOf(circuit), s.spec);
  return drawNetwork(s, { inputNames: names("inputNames"), outputNames: names("outputNames"), ...rest,
    ...(kept ? { circuit: { kept } } : {}) });
}

function modelOf(value: unknown): ModelSnapshot {
  return asField("model", () => validateSnapshot(value));
}

function circuitOf(value: unknown): Circuit {
  return asField("circuit", () => validateCircuit(value));
}

/** f's result; a model or circuit format error becomes a UserError of `field`. */
function asField<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw asUserError(err, field);
  }
}
