// The public API for embedding brainwire in other apps. The browser and Deno bundles (dist/brainwire.js)
// and the server import only this module, so it never touches fs, process or the network: everything
// here runs unchanged on Node, Deno, Bun and in browsers (main thread or worker).
import { discover, type DiscoverOptions, type Discovery } from "./circuits/discover.ts";
import { createEngine, type Engine } from "./engine/engine.ts";
import { modelHash, validateSnapshot } from "./model/io.ts";
import { Mlp } from "./model/mlp.ts";
import type { ModelSnapshot } from "./model/spec.ts";
import { getTask } from "./tasks/index.ts";
import { getSeqTask } from "./tasks/sequence/index.ts";
import { transformerParamsHash } from "./model/transformer-io.ts";
import { trainSeq } from "./train/transformer-trainer.ts";
import type { Dataset, Task, TrainSettings } from "./tasks/types.ts";
import { parseMode, type Mode } from "./train/modes.ts";
import { withOverrides } from "./train/settings.ts";
import { train, Trainer, type Metrics, type Progress } from "./train/trainer.ts";

import { VERSION } from "./app/version.ts";

export { VERSION };

// The engine: one SIMD WASM module, bytes compiled into the bundle.
export { createEngine, createEngineSync, elementPtr, Engine, type AnyBuf, type Buf, type ElementType } from "./engine/engine.ts";
export { Rng } from "./engine/random.ts";

// The model: parameters in WASM memory, passes, files.
export { Mlp, paramLayout, type ParamLayout } from "./model/mlp.ts";
export { Pass, uploadInputs, type InputBuf } from "./model/pass.ts";
export { fnv1a64, modelHash, ModelFormatError, parseModel, serializeModel, validateSnapshot } from "./model/io.ts";
export { MODEL_FORMAT, MODEL_VERSION, type Layout, type ModelSnapshot, type ModelSpec } from "./model/spec.ts";
export { layerCoords, type LayerCoords } from "./model/coords.ts";
export { exportSafetensors, importSafetensors, type SafetensorsImportOptions } from "./model/safetensors.ts";

// Transformers: the model, its passes, training on sequence tasks, and the attention-score ground truth.
export { Transformer, INIT_STD } from "./model/transformer.ts";
export { TransformerPass, LN_EPS } from "./model/transformer-pass.ts";
export { transformerTensors, checkTransformerSpec, type TransformerSpec, type TensorSlot, type TransformerLayout } from "./model/transformer-spec.ts";
export { attentionScores, scoreAttention, type AttentionScores, type HeadScore } from "./model/attention-scores.ts";
export { SeqTrainer, trainSeq, trainSeqAsync, type SeqMetrics, type SeqTrainOptions, type SeqTrainResult } from "./train/transformer-trainer.ts";
export { evaluateSeq } from "./train/transformer-evaluate.ts";

// Tasks: the built-in datasets (mnist loads the `mnist` package lazily, on first make()) and user data.
export { getTask, taskNames, parseUserData, userTask } from "./tasks/index.ts";
export type { Dataset, LambdaPhase, LossKind, Split, Task, TaskKind, TrainSettings } from "./tasks/types.ts";

// Training: BIMT and the baselines.
export { MODES, modeParts, parseMode, type Mode, type ModeParts } from "./train/modes.ts";
export { withOverrides, type SettingOverrides } from "./train/settings.ts";
export { evaluate, wireLength } from "./train/evaluate.ts";
export {
  train,
  Trainer,
  type Curves,
  type Metrics,
  type Progress,
  type TrainOptions,
  type TrainResult,
} from "./train/trainer.ts";

// Circuit discovery: one entry for every method (discover), ACDC (exact, kernel speed), EAP, scoring, files.
export {
  checkMethod,
  circuitHash,
  DEFAULT_TAU,
  discover,
  discoveryData,
  METHODS,
  type DiscoverOptions,
  type Discovery,
} from "./circuits/discover.ts";
export { acdc, type AcdcOptions, type AcdcResult } from "./circuits/acdc.ts";
export { checkAblation } from "./circuits/ablation.ts";
export { checkMetricName } from "./circuits/metrics.ts";
export { acdcNodes } from "./circuits/acdc-nodes.ts";
export {
  eap,
  eapCandidates,
  eapIg,
  selectThreshold,
  selectTopK,
  type EapIgOptions,
  type EapOptions,
} from "./circuits/eap.ts";
export { scoreCircuit, type CircuitScores, type ScoreOptions } from "./circuits/score.ts";
export {
  circuitMask,
  CircuitFormatError,
  makeCircuit,
  parseCircuit,
  serializeCircuit,
  validateCircuit,
  type Circuit,
  type CircuitSettings,
} from "./circuits/circuit-io.ts";
export {
  ABLATIONS,
  METRICS,
  type Ablation,
  type DiscoveryData,
  type EdgeMask,
  type EdgeScores,
  type KeptEdge,
  type Method,
  type MetricName,
} from "./circuits/types.ts";

// The study (docs/study.md; the protocol and settings are ours): runs, tables, verdicts, reports.
export { defaultConfig, planRuns } from "./study/protocol.ts";
export { runStudy, type StudyHooks, type StudyOutcome } from "./app/index.ts";
export { studyDocument, toCsv, toMarkdown } from "./study/report.ts";
export type { Environment, RunRecord, StudyConfig, StudyProgress } from "./study/types.ts";
export { reportHtml } from "./viz/report-html.ts";

// Pictures.
export { drawNetwork, networkScene, WEIGHT_COLORS, type CircuitMask, type DrawNetworkOptions } from "./viz/network-svg.ts";
export { curvesScene, drawCurves, type CurvesOptions, type Series } from "./viz/curves-svg.ts";
export { toSvg, type SvgNode } from "./viz/svg.ts";

/** The tasks that train in seconds: what the page and the quick runtime checks offer. */
export const FAST_TASKS = [
  "symbolic-independence",
  "symbolic-sharing",
  "symbolic-composition",
  "two-moons",
  "modular-addition",
  "permutation-s4",
] as const;

export interface Session {
  task: Task;
  mode: Mode;
  seed: number;
  settings: TrainSettings;
  data: Dataset;
  trainer: Trainer;
}

export interface SessionOptions {
  task: string;
  mode: string;
  seed: number;
  /** Overrides the task's reference step count (the λ schedule keeps its step numbers). */
  steps?: number;
}

/**
 * A training session stepped by the caller (the page's worker draws the model between steps), where
 * `trainModel` runs `train()` in one go. Both give the same bits: a step is `trainer.step(step)`, and the
 * runtime tests compare the two.
 */
export async function startSession(engine: Engine, o: SessionOptions): Promise<Session> {
  const { task, mode, settings } = resolveRun(o);
  const data = await task.make(engine, o.seed);
  const trainer = new Trainer(engine, data, { mode, seed: o.seed, settings });
  return { task, mode, seed: o.seed, settings, data, trainer };
}

/** The task, mode and settings a run asks for, with clear errors for bad names and values. */
function resolveRun(o: SessionOptions): { task: Task; mode: Mode; settings: TrainSettings } {
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be a whole number, got ${o.seed}`);
  const task = getTask(o.task);
  return { task, mode: parseMode(o.mode), settings: withOverrides(task.settings, { steps: o.steps }) };
}

/** Ends a session: the model's metrics and snapshot (with provenance in meta); frees the training buffers. */
export function finishSession(s: Session, stepsDone: number):
  { model: Mlp; snapshot: ModelSnapshot; metrics: Metrics } {
  const model = s.trainer.model;
  const metrics = s.trainer.finish(stepsDone);
  const snapshot = model.toSnapshot(provenance(s.task, s.mode, s.seed, s.settings, stepsDone, metrics, s.data));
  return { model, snapshot, metrics };
}

export interface TrainModelOptions extends SessionOptions {
  engine?: Engine;
  onProgress?: (p: Progress) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

/** Trains a built-in task by name in one go; returns the model snapshot (plain JSON data), its hash and metrics. */
export async function trainModel(o: TrainModelOptions): Promise<{
  snapshot: ModelSnapshot;
  weightsHash: string;
  metrics: Metrics;
  steps: number;
  swaps: number;
  wallMs: number;
  data: Dataset;
}> {
  const { task, mode, settings } = resolveRun(o);
  const engine = o.engine ?? (await createEngine());
  const data = await task.make(engine, o.seed);
  const r = train(engine, data, {
    mode,
    seed: o.seed,
    settings,
    onProgress: o.onProgress,
    progressEvery: o.progressEvery,
    signal: o.signal,
  });
  const snapshot = r.model.toSnapshot(provenance(task, mode, o.seed, settings, r.steps, r.metrics, data));
  r.model.dispose();
  return { snapshot, weightsHash: modelHash(snapshot), metrics: r.metrics, steps: r.steps, swaps: r.swaps,
    wallMs: r.wallMs, data };
}

/** What the model's meta records: enough to rerun it (task, mode, seed, settings) and what came of it. */
function provenance(task: Task, mode: Mode, seed: number, settings: TrainSettings, steps: number, metrics: Metrics,
  data: Dataset) {
  return {
    task: task.name,
    mode,
    seed,
    settings,
    steps,
    metrics,
    inputNames: data.inputNames,
    outputNames: data.outputNames,
    trainedWith: `brainwire ${VERSION}`,
  };
}

export interface DiscoverModelOptions extends DiscoverOptions {
  /** The task whose data the model learned; default snapshot.meta.task. */
  task?: string;
  /** The data seed (also seeds the pairing); default snapshot.meta.seed. */
  seed?: number;
  engine?: Engine;
}

export interface ModelDiscovery extends Discovery {
  /** Edges kept and all edges (also in circuit.scores). */
  edges: number;
  totalEdges: number;
}

/**
 * `discover` for a model given as plain data (a snapshot from trainModel, a parsed file, an HTTP body):
 * validates it, rebuilds its task's seeded data and finds its circuit (ACDC unless `method` says
 * otherwise) the way `brainwire discover` does, so the CLI, the server and the page agree. Nothing stays
 * allocated.
 */
export async function discoverModel(snapshot: unknown, o: DiscoverModelOptions = {}): Promise<ModelDiscovery> {
  const s = validateSnapshot(snapshot);
  const meta = s.meta ?? {};
  const taskName = o.task ?? (typeof meta.task === "string" ? meta.task : undefined);
  if (taskName === undefined) throw new Error("discoverModel: name the task (the model's meta has none)");
  const seed = o.seed ?? (typeof meta.seed === "number" ? meta.seed : undefined);
  if (seed === undefined) throw new Error("discoverModel: give the data seed (the model's meta has none)");
  const task = getTask(taskName);
  const e = o.engine ?? (await createEngine());
  const data = await task.make(e, seed);
  const model = Mlp.fromSnapshot(e, s);
  try {
    const d = discover(model, data, { truth: task.groundTruth, ...o, seed });
    return { ...d, edges: d.circuit.scores.edges ?? d.circuit.edges.length, totalEdges: edgeTotal(s.spec.shape) };
  } finally {
    model.dispose();
  }
}

function edgeTotal(shape: number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < shape.length; l++) n += shape[l] * shape[l + 1];
  return n;
}

export interface CheckOptions {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  /** ACDC's τ; default DEFAULT_TAU for the task's kind. */
  tau?: number;
}

export interface CheckResult {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  /** modelHash of the trained weights (exact f32 bits, perms and spec). */
  weightsHash: string;
  /** Test metric of the trained model (accuracy or MSE). */
  test: number;
  /** circuitHash of its ACDC circuit (resample ablation, the default metric and τ). */
  circuitHash: string;
  edges: number;
  totalEdges: number;
}

/**
 * The runtime check: a seeded training run reduced to hashes. Node, Deno, Bun and Chromium must print
 * the same values for the same options (test/runtimes/).
 */
export async function runCheck(o: CheckOptions, engine?: Engine): Promise<CheckResult> {
  const e = engine ?? (await createEngine());
  const r = await trainModel({ ...o, engine: e });
  const d = await discoverModel(r.snapshot, { tau: o.tau, engine: e });
  return { task: o.task, mode: o.mode, seed: o.seed, steps: r.steps, weightsHash: r.weightsHash,
    test: r.metrics.test, circuitHash: d.circuitHash, edges: d.edges, totalEdges: d.totalEdges };
}

export interface TransformerCheckOptions {
  /** A sequence task (induction, icl-regression, modular-addition-seq). */
  task: string;
  mode: string;
  seed: number;
  steps: number;
  /** Swap period (default the task's). */
  swapEvery?: number;
}

export interface TransformerCheckResult {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  swaps: number;
  /** transformerParamsHash of the trained weights (exact f32 bits and spec). */
  weightsHash: string;
  /** Test metric (accuracy or MSE on the counted positions). */
  test: number;
}

/**
 * The runtime check for transformers: a short seeded training run (reference settings but `steps`, the
 * λ schedule as it is; the test metric measured once, at the end) reduced to a hash. Node, Deno, Bun and Chromium must print the same values.
 */
export async function runTransformerCheck(o: TransformerCheckOptions, engine?: Engine): Promise<TransformerCheckResult> {
  const e = engine ?? (await createEngine());
  const task = getSeqTask(o.task);
  const settings = { ...task.settings, steps: o.steps, swapEvery: o.swapEvery ?? task.settings.swapEvery };
  const data = await task.make(e, o.seed);
  const r = trainSeq(e, data, { mode: parseMode(o.mode), seed: o.seed, settings, evalEvery: o.steps });
  try {
    return { task: o.task, mode: o.mode, seed: o.seed, steps: r.steps, swaps: r.swaps,
      weightsHash: transformerParamsHash(r.model.spec, r.model.readParams()), test: r.metrics.test };
  } finally {
    r.model.dispose();
  }
}
