// The study protocol (docs/study.md): for each task × seed × mode, train with the task's reference
// settings (optionally with every schedule step scaled down), discover circuits with ACDC, EAP and
// EAP→ACDC at the default τ and over a τ grid, and time dense and circuit inference. Runtime-agnostic:
// records leave through `onRecord` as each run ends, so an interrupted study keeps every finished run.
// The protocol and its settings are ours; the study it builds on (Nainani 2024) published only an abstract.
import { DEFAULT_TAU, type DiscoverOptions } from "../circuits/discover.ts";
import { circuitPoint, discoverSweep } from "../circuits/discover-sweep.ts";
import { logGrid } from "../circuits/sweep.ts";
import { createEngine } from "../engine/engine.ts";
import { wasmBase64 } from "../engine/generated/wasm-bytes.ts";
import { fnv1a64, modelHash } from "../model/io.ts";
import { getTask } from "../tasks/index.ts";
import type { Task, TrainSettings } from "../tasks/types.ts";
import type { Mode } from "../train/modes.ts";
import { trainAsync } from "../train/trainer.ts";
import { measureThroughput } from "./infer.ts";
import {
  RUN_FORMAT,
  STUDY_METHODS,
  STUDY_VERSION,
  type MethodRecord,
  type Phase,
  type RunRecord,
  type StudyConfig,
  type StudyMethod,
  type StudyProgress,
} from "./types.ts";

/** The tasks `npm start` studies (docs/study.md "Defaults"); `--tasks all` adds the rest. */
export const STUDY_TASKS = ["symbolic-independence", "symbolic-sharing", "symbolic-composition", "two-moons"];
export const DEFAULT_MODES: Mode[] = ["vanilla", "l1", "bimt"];
/** `--quick`: every schedule step number × 0.1 (symbolic tasks: 2,000 steps instead of 20,000). */
export const QUICK_SCALE = 0.1;

export function defaultConfig(over: Partial<StudyConfig> = {}): StudyConfig {
  return {
    tasks: STUDY_TASKS,
    modes: DEFAULT_MODES,
    seeds: [0, 1, 2],
    stepScale: 1,
    grid: logGrid(),
    ablation: "resample",
    fraction: 0.1,
    examples: 1000,
    inference: { repetitions: 5, minMs: 20 },
    ...over,
  };
}

/**
 * Settings with every schedule step number scaled: steps, the start of each λ phase and the swap
 * period, so a shorter run passes through the same phases and makes as many swaps.
 */
export function scaleSteps(s: TrainSettings, scale: number): TrainSettings {
  checkScale(scale);
  const out = structuredClone(s);
  if (scale === 1) return out;
  out.steps = Math.max(1, Math.round(s.steps * scale));
  out.lambda = s.lambda.map((p) => ({ from: Math.round(p.from * scale), value: p.value }));
  out.swapEvery = Math.max(1, Math.round(s.swapEvery * scale));
  return out;
}

export interface PlannedRun {
  task: string;
  seed: number;
  mode: Mode;
}

/** Task by task, then seed by seed with every mode, so an early stop still leaves whole comparisons. */
export function planRuns(c: StudyConfig): PlannedRun[] {
  return c.tasks.flatMap((task) => c.seeds.flatMap((seed) => c.modes.map((mode) => ({ task, seed, mode }))));
}

export interface StudyHooks {
  /** Called with each finished run, before the next starts; awaited. */
  onRecord(record: RunRecord): void | Promise<void>;
  onProgress?(p: StudyProgress): void;
  /** Bytes of JS heap in use, sampled during training (Node: process.memoryUsage().heapUsed). */
  heapBytes?(): number;
  /** Resolves a task name (default: the built-in registry). */
  task?(name: string): Task | Promise<Task>;
  signal?: AbortSignal;
}

export interface StudyOutcome {
  runs: RunRecord[];
  planned: number;
  aborted: boolean;
}

/** FNV-1a 64 of the WASM module: which kernels the numbers came from. */
export function wasmVersion(): string {
  return fnv1a64(new TextEncoder().encode(wasmBase64));
}

/** Runs the plan; on abort, stops at the next phase boundary and returns the finished runs. */
export async function runStudy(config: StudyConfig, hooks: StudyHooks): Promise<StudyOutcome> {
  checkConfig(config);
  const plan = planRuns(config);
  const runs: RunRecord[] = [];
  for (let i = 0; i < plan.length; i++) {
    let record: RunRecord;
    try {
      record = await runOne(config, plan[i], i + 1, plan.length, hooks);
    } catch (err) {
      if (hooks.signal?.aborted) return { runs, planned: plan.length, aborted: true };
      throw err;
    }
    runs.push(record);
    await hooks.onRecord(record);
  }
  return { runs, planned: plan.length, aborted: false };
}

async function runOne(c: StudyConfig, p: PlannedRun, run: number, runs: number, hooks: StudyHooks): Promise<RunRecord> {
  const { signal } = hooks;
  const report = (phase: Phase, done?: number, total?: number) =>
    hooks.onProgress?.({ run, runs, task: p.task, mode: p.mode, seed: p.seed, phase, done, total });
  const phase = async (name: Phase) => {
    report(name);
    // Discovery is synchronous: give the event loop a turn between phases so an abort (Ctrl-C) lands.
    await new Promise((r) => setTimeout(r, 0));
    signal?.throwIfAborted();
  };
  await phase("train");
  const task = await (hooks.task ?? getTask)(p.task);
  // A fresh engine per run, so its memory figures are this run's alone (linear memory never shrinks).
  const engine = await createEngine();
  const data = await task.make(engine, p.seed);
  const settings = scaleSteps(task.settings, c.stepScale);
  let heapPeak = hooks.heapBytes?.();
  const trained = await trainAsync(engine, data, {
    mode: p.mode,
    seed: p.seed,
    settings,
    signal,
    onProgress: (s) => {
      if (heapPeak !== undefined) heapPeak = Math.max(heapPeak, hooks.heapBytes!());
      report("train", s.step, s.steps);
    },
  });
  const model = trained.model;
  try {
    signal?.throwIfAborted();
    const snapshot = model.toSnapshot({ task: task.name, mode: p.mode, seed: p.seed, settings,
      inputNames: data.inputNames, outputNames: data.outputNames, trainedWith: "brainwire study" });
    const tau = DEFAULT_TAU[data.kind];
    const methods = {} as Record<StudyMethod, MethodRecord>;
    let acdc: ReturnType<typeof circuitPoint> | undefined;
    for (const method of STUDY_METHODS) {
      await phase("discover");
      const opts: DiscoverOptions = { method, ablation: c.ablation, seed: p.seed, examples: c.examples,
        truth: task.groundTruth, signal };
      if (method === "eap-acdc") opts.fraction = c.fraction;
      // EAP keeps as many edges as ACDC kept at the same τ (types.ts says why)
      const size = (t: number): DiscoverOptions => method !== "eap" ? { tau: t } :
        { topK: t === tau ? acdc!.point.edges : methods.acdc.sweep.points.find((q) => q.tau === t)!.edges };
      const at = circuitPoint(model, data, { ...opts, ...size(tau) });
      acdc ??= at;
      const sweep = await discoverSweep(model, data, opts, c.grid, { signal,
        onProgress: (done, total) => report("discover", done, total) }, size);
      methods[method] = { method, metric: at.discovery.metric, atDefault: at.point, sweep };
    }
    await phase("infer");
    const heldOut = data.test.n > 0 ? data.test : data.train;
    const inference = measureThroughput(model, acdc!.discovery.mask, heldOut.x, data.inputDim, c.inference);
    if (heapPeak !== undefined) heapPeak = Math.max(heapPeak, hooks.heapBytes!());
    const m = trained.metrics;
    const record: RunRecord = {
      format: RUN_FORMAT,
      version: STUDY_VERSION,
      run,
      task: task.name,
      kind: data.kind,
      mode: p.mode,
      seed: p.seed,
      stepScale: c.stepScale,
      settings,
      discovery: { ablation: c.ablation, tau, grid: c.grid, fraction: c.fraction, examples: c.examples },
      train: {
        metric: m.metric,
        test: m.test,
        train: m.train,
        cost: m.cost,
        wireLength: m.wireLength,
        steps: trained.steps,
        swaps: trained.swaps,
        wallMs: trained.wallMs,
        stepsPerSecond: trained.stepsPerSecond,
        wasmBytes: trained.peakWasmBytes,
        wasmPeakInUse: engine.memoryStats.peak,
        ...(heapPeak !== undefined ? { jsHeapPeak: heapPeak } : {}),
        modelHash: modelHash(snapshot),
        curves: trained.curves,
      },
      methods,
      inference,
    };
    if (p.seed === c.seeds[0]) {
      record.model = snapshot;
      record.circuit = acdc!.discovery.circuit;
    }
    return record;
  } finally {
    model.dispose();
  }
}

function checkConfig(c: StudyConfig): void {
  if (c.tasks.length === 0 || c.modes.length === 0 || c.seeds.length === 0) {
    throw new Error("study: needs at least one task, one mode and one seed");
  }
  if (!c.seeds.every(Number.isInteger)) throw new Error(`study: seeds must be whole numbers, got ${c.seeds}`);
  if (c.grid.length === 0 || !c.grid.every((t) => t > 0 && Number.isFinite(t))) {
    throw new Error(`study: the τ grid needs positive numbers, got [${c.grid}]`);
  }
  checkScale(c.stepScale);
}

function checkScale(scale: number): void {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`step scale must be in (0, 1], got ${scale}`);
}
