// brainwire/check: the runtime check, a seeded training run and its circuit reduced to hashes. Node,
// Deno, Bun and Chromium must print the same values for the same options (test/runtimes/). A test
// oracle, kept out of the root export.
import { createEngine, type Engine } from "../engine/engine.ts";
import { discover, train, type TaskName } from "../library.ts";
import { transformerParamsHash } from "../model/transformer-io.ts";
import { getSeqTask } from "../tasks/sequence/index.ts";
import { parseMode, type Mode } from "../train/modes.ts";
import { trainSeq } from "../train/transformer-trainer.ts";

export interface CheckOptions {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  /** ACDC's τ; default that of the task's default metric. */
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

export async function runCheck(o: CheckOptions, engine?: Engine): Promise<CheckResult> {
  const e = engine ?? (await createEngine());
  const r = await train({ task: o.task as TaskName, mode: o.mode as Mode, seed: o.seed, steps: o.steps, engine: e });
  const d = await discover(r.model, { tau: o.tau, engine: e });
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
 * λ schedule as it is; the test metric measured once, at the end) reduced to a hash. Node, Deno, Bun and
 * Chromium must print the same values.
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
