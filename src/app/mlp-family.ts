// The MLP family: trains a BIMT MLP (src/train), finds and scores its circuits (src/circuits). The
// functions in run.ts dispatch here for specs with family "mlp"; they are the only callers of the
// training loop and of discovery.
import { discoverSweep } from "../circuits/discover-sweep.ts";
import { discoverOn, discoveryData, type DiscoverOptions } from "../circuits/discover.ts";
import { edgeCount } from "../circuits/graph.ts";
import type { DiscoveryData } from "../circuits/types.ts";
import type { Engine } from "../engine/engine.ts";
import { modelHash } from "../model/io.ts";
import { Mlp } from "../model/mlp.ts";
import { predict } from "../model/pass.ts";
import type { Dataset, Task, TaskKind } from "../tasks/types.ts";
import { TrainingDiverged, trainingRun, type TrainResult as LoopResult } from "../train/trainer.ts";
import { dataTask } from "./data-spec.ts";
import { circuitMeta, modelMeta } from "./provenance.ts";
import { findTask } from "./registry.ts";
import type { RunContext } from "./run-context.ts";
import type { DiscoverProgress, DiscoverResult, MlpDiscoverSpec, MlpTrainSpec, Pairs, TrainProgress,
  TrainResult } from "./specs.ts";
import { nextTurn } from "./turn.ts";
import { asUserError, UserError } from "./user-error.ts";
import { checkCircuitFor, circuitMask, type Circuit } from "../circuits/circuit-io.ts";
import { scoreCircuit, type CircuitScores } from "../circuits/score.ts";

/** Default milliseconds of work between two turns of the event loop. */
const SLICE_MS = 40;
/** Default milliseconds between two progress reports. */
const PROGRESS_MS = 100;

/** The task a spec's data come from: its data, or a registered MLP task. */
export function specTask(spec: { task: string; data?: MlpTrainSpec["data"] }): Task {
  if (spec.data) return dataTask(spec.data);
  const entry = findTask(spec.task);
  if (entry.family !== "mlp") throw new UserError("task", `task ${JSON.stringify(spec.task)} is a ${entry.family} task`);
  return entry.task;
}

export interface TrainedMlp {
  task: Task;
  data: Dataset;
  model: Mlp;
  loop: LoopResult;
}

/** Trains on `engine`, handing the event loop a turn every slice and reporting progress by time. */
export async function trainMlp(spec: MlpTrainSpec, engine: Engine, ctx: RunContext<TrainProgress>):
  Promise<TrainedMlp> {
  const task = specTask(spec);
  const data = await task.make(engine, spec.seed);
  const run = trainingRun(engine, data, { mode: spec.mode, seed: spec.seed, settings: spec.settings,
    permuteAdamState: spec.permuteAdam, signal: ctx.signal });
  const every = ctx.progressEveryMs ?? PROGRESS_MS;
  const slice = ctx.sliceMs ?? SLICE_MS;
  let turn = performance.now();
  let shown = -Infinity;
  let modelShown = -Infinity;
  for (;;) {
    const next = nextStep(run, spec);
    if (next.done) return { task, data, model: next.value.model, loop: next.value };
    const s = next.value;
    const t = performance.now();
    if (ctx.onProgress && (t - shown >= every || s.step === s.steps)) {
      shown = t;
      const p: TrainProgress = { phase: "train", step: s.step, steps: s.steps, loss: s.loss, cost: s.cost,
        lambda: s.lambda, swaps: s.swaps };
      if (s.test !== undefined) p.test = s.test;
      if (ctx.modelEveryMs !== undefined && (t - modelShown >= ctx.modelEveryMs || s.step === s.steps)) {
        modelShown = t;
        Object.assign(p, { model: s.model.toSnapshot(), inputNames: data.inputNames, outputNames: data.outputNames });
      }
      ctx.onProgress(p);
    }
    if (t - turn >= slice) {
      await nextTurn();
      turn = performance.now();
    }
  }
}

/** The loop's next step; a loss that stops being finite is the settings' fault, so a UserError of lr. */
function nextStep(run: ReturnType<typeof trainingRun>, spec: MlpTrainSpec): ReturnType<ReturnType<typeof trainingRun>["next"]> {
  try {
    return run.next();
  } catch (err) {
    if (!(err instanceof TrainingDiverged)) throw err;
    throw new UserError("lr", `${err.message}; these settings do not train this model (lr ${spec.settings.lr}: try a ` +
      "smaller one)");
  }
}

export async function trainMlpRun(spec: MlpTrainSpec, engine: Engine, ctx: RunContext<TrainProgress>):
  Promise<TrainResult> {
  const { data, model, loop } = await trainMlp(spec, engine, ctx);
  try {
    const snapshot = model.toSnapshot(modelMeta(spec, data, loop));
    return {
      family: "mlp",
      model: snapshot,
      weightsHash: modelHash(snapshot),
      metrics: loop.metrics,
      curves: loop.curves,
      steps: loop.steps,
      swaps: loop.swaps,
      aborted: loop.aborted,
      wallMs: loop.wallMs,
      stepsPerSecond: loop.stepsPerSecond,
      wasmBytes: loop.peakWasmBytes,
      wasmPeakInUse: engine.memoryStats.peak,
    };
  } finally {
    model.dispose();
  }
}

/** Discovery options of a spec, with progress reported by time. */
export function discoverOptions(spec: MlpDiscoverSpec, task: Task, ctx: RunContext<DiscoverProgress>):
  DiscoverOptions {
  const o: DiscoverOptions = { method: spec.method, ablation: spec.ablation, seed: spec.seed, examples: spec.examples,
    truth: task.groundTruth, signal: ctx.signal, ...selectionOptions(spec) };
  if (spec.metric !== "custom") o.metric = spec.metric;
  if (spec.outputs) o.outputs = spec.outputs;
  const progress = discoveryProgress(ctx);
  if (progress) o.onProgress = progress;
  return o;
}

/** A spec's edge selection as the discovery functions' options (both families' specs carry it). */
export function selectionOptions(spec: { tau?: number; topK?: number; fraction?: number; igSteps?: number }):
  { tau?: number; topK?: number; fraction?: number; steps?: number } {
  const o: { tau?: number; topK?: number; fraction?: number; steps?: number } = {};
  if (spec.tau !== undefined) o.tau = spec.tau;
  if (spec.topK !== undefined) o.topK = spec.topK;
  if (spec.fraction !== undefined) o.fraction = spec.fraction;
  if (spec.igSteps !== undefined) o.steps = spec.igSteps;
  return o;
}

/** ctx.onProgress as discovery's (done, total) callback: at most every progressEveryMs, and at the end. */
export function discoveryProgress(ctx: RunContext<DiscoverProgress>): ((done: number, total: number) => void) | undefined {
  const report = ctx.onProgress;
  if (!report) return undefined;
  const every = ctx.progressEveryMs ?? PROGRESS_MS;
  let shown = -Infinity;
  return (done, total) => {
    const t = performance.now();
    if (t - shown < every && done !== total) return;
    shown = t;
    report({ phase: "discover", done, total });
  };
}

export async function discoverMlpRun(spec: MlpDiscoverSpec, engine: Engine, ctx: RunContext<DiscoverProgress>):
  Promise<DiscoverResult> {
  const task = specTask(spec);
  const data = await task.make(engine, spec.seed);
  const model = Mlp.fromSnapshot(engine, spec.model);
  try {
    const opts = discoverOptions(spec, task, ctx);
    if (spec.metric === "custom") opts.custom = await customMetric(model, spec, ctx);
    const heldOut = !spec.pairs && data.test.n > 0;
    const [found, scored] = spec.pairs ? [pairsData(model, spec.pairs, data.kind), undefined] :
      [discoveryData(data.train, data.kind, spec.seed, spec.examples),
        discoveryData(heldOut ? data.test : data.train, data.kind, spec.seed + 1)];
    checkCounted(spec, found, "the discovery examples");
    checkCounted(spec, scored ?? found, heldOut ? "the held-out examples" : "the examples scored");
    const d = discoverOn(model, found, scored ?? found, data.kind, opts);
    d.circuit.meta = circuitMeta(spec, heldOut);
    const result: DiscoverResult = {
      family: "mlp",
      circuit: d.circuit,
      circuitHash: d.circuitHash,
      edges: d.circuit.edges.length,
      totalEdges: edgeCount(model.spec),
      metric: d.metric,
      evaluations: d.evaluations,
      ms: d.ms,
      heldOut,
    };
    if (d.metricValue !== undefined) result.metricValue = d.metricValue;
    if (spec.sweep) {
      const { onProgress, ...base } = opts;
      result.sweep = await discoverSweep(model, data, base, spec.sweep, { signal: ctx.signal,
        onProgress: onProgress && ((done, total) => onProgress(done, total)) });
    }
    return result;
  } finally {
    model.dispose();
  }
}

/**
 * Scores a given circuit of spec.model on the data discovery would score it on (held out, or the given
 * pairs), with spec's ablation and outputs: what discover() reports in circuit.scores.
 */
export async function scoreMlpRun(spec: MlpDiscoverSpec, circuit: Circuit, engine: Engine): Promise<CircuitScores> {
  const task = specTask(spec);
  const data = await task.make(engine, spec.seed);
  const model = Mlp.fromSnapshot(engine, spec.model);
  try {
    let mask;
    try {
      checkCircuitFor(circuit, model);
      mask = circuitMask(circuit, model.spec);
    } catch (err) {
      throw asUserError(err, "circuit");
    }
    const heldOut = !spec.pairs && data.test.n > 0;
    const scored = spec.pairs ? pairsData(model, spec.pairs, data.kind) :
      discoveryData(heldOut ? data.test : data.train, data.kind, spec.seed + 1);
    checkCounted(spec, scored, heldOut ? "the held-out examples" : "the examples scored");
    return scoreCircuit(model, mask, scored, { ablation: spec.ablation, kind: data.kind, outputs: spec.outputs,
      truth: task.groundTruth });
  } finally {
    model.dispose();
  }
}

/** The caller's metric function as ACDC's measure of the pruned network (outputs turned to original order). */
async function customMetric(model: Mlp, spec: MlpDiscoverSpec, ctx: RunContext<DiscoverProgress>):
  Promise<NonNullable<DiscoverOptions["custom"]>> {
  const fn = ctx.metric;
  if (!fn) throw new UserError("metric", 'is "custom" but no metric function was given (the library\'s discover takes one)');
  const { acdcNaive } = await import("../circuits/acdc-naive.ts");
  const dOut = model.spec.shape[model.depth];
  const perm = model.outPerm;
  const original = (y: Float32Array) => {
    const out = new Float32Array(y.length);
    for (let r = 0; r < y.length / dOut; r++) for (let p = 0; p < dOut; p++) out[r * dOut + perm[p]] = y[r * dOut + p];
    return out;
  };
  let full: Float32Array | undefined;
  return {
    run: acdcNaive,
    measure: (net) => {
      // The first measure is of the whole network (nothing removed yet): the full model's outputs.
      const y = original(net.outputs());
      full ??= y;
      const v = fn(y, full, { n: net.n, outputs: dOut });
      if (typeof v !== "number" || Number.isNaN(v)) throw new UserError("metric", `the metric function returned ${String(v)}`);
      return v;
    },
  };
}

/**
 * With `outputs`, label metrics (nll, logit-diff, and the gradient metric EAP→ACDC ranks with) and a
 * classification circuit's accuracy count only examples whose label is among the outputs: some must be.
 */
function checkCounted(spec: MlpDiscoverSpec, d: DiscoveryData, which: string): void {
  if (!spec.outputs || !d.labels) return;
  const outs = new Set(spec.outputs);
  for (const y of d.labels) if (outs.has(y)) return;
  throw new UserError("outputs", `no example among ${which} (${d.n}) has its label among outputs ` +
    `[${spec.outputs}]: give other outputs, or more examples`);
}

/**
 * The user's pairs as discovery data. Labels (and regression targets) are the model's own outputs on
 * the clean inputs, so nll, logit-diff and the circuit's task score measure agreement with the model.
 */
function pairsData(model: Mlp, pairs: Pairs, kind: TaskKind): DiscoveryData {
  const n = pairs.clean.length;
  const tokens = model.spec.embed !== undefined;
  const width = pairs.clean[0].length;
  const rows = (r: number[][]) => (tokens ? Int32Array.from(r.flat()) : Float32Array.from(r.flat()));
  const clean = rows(pairs.clean);
  const out = predict(model, clean, width);
  const data: DiscoveryData = { n, clean, corrupted: rows(pairs.corrupted) };
  const dOut = model.spec.shape[model.depth];
  if (kind === "regression") data.targets = out;
  else {
    data.labels = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < dOut; c++) if (out[r * dOut + c] > out[r * dOut + best]) best = c;
      data.labels[r] = best;
    }
  }
  return data;
}

