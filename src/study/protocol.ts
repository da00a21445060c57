// The study protocol (docs/study.md): for each task × seed × mode, train with the task's reference
// settings (optionally with every schedule step scaled down), discover circuits with ACDC, EAP and
// EAP→ACDC at the default τ and over a τ grid, and time dense and circuit inference. This file plans
// (config, step scaling, the task × seed × mode order); each run is a study-run spec that the app layer
// runs (src/app/mlp-study.ts, src/app/study.ts). The protocol and its settings are ours; the study it
// builds on (Nainani 2024) published only an abstract.
import { logGrid } from "../circuits/sweep.ts";
import { wasmBase64 } from "../engine/generated/wasm-bytes.ts";
import { fnv1a64 } from "../model/io.ts";
import type { TrainSettings } from "../tasks/types.ts";
import type { Mode } from "../train/modes.ts";
import type { StudyConfig } from "./types.ts";

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

/** FNV-1a 64 of the WASM module: which kernels the numbers came from. */
export function wasmVersion(): string {
  return fnv1a64(new TextEncoder().encode(wasmBase64));
}

/** A config the protocol can run: at least one task, mode and seed; whole seeds; a positive τ grid. */
export function checkConfig(c: StudyConfig): void {
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
