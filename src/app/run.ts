// The run functions every face calls: one per run kind, each (spec, ctx) → Promise<plain result>.
// Specs come from resolve-*.ts (or, already resolved, from a job message); ctx carries what cannot
// travel in a message (engine, progress callback, AbortSignal).
import type { Circuit } from "../circuits/circuit-io.ts";
import type { CircuitScores } from "../circuits/score.ts";
import type { Engine } from "../engine/engine.ts";
import { engineOf, familyRunner } from "./families.ts";
import type { RunContext, StudyRunContext } from "./run-context.ts";
import type { DiscoverProgress, DiscoverResult, DiscoverSpec, RunRequest, StudyRunProgress, StudyRunResult,
  StudyRunSpec, TrainProgress, TrainResult, TrainSpec } from "./specs.ts";
import { UserError } from "./user-error.ts";

/** Trains. An abort stops at the next step and still returns the model trained so far (aborted: true). */
export async function runTraining(spec: TrainSpec, ctx: RunContext<TrainProgress> = {}): Promise<TrainResult> {
  const runner = familyRunner(spec.family);
  if (!runner.train) throw new UserError("family", `the ${spec.family} family cannot train in this build`);
  return runner.train(spec, await engineOf(ctx), ctx);
}

/** Finds the circuit of spec.model, scores it, and (spec.sweep) sweeps τ. */
export async function runDiscovery(spec: DiscoverSpec, ctx: RunContext<DiscoverProgress> = {}):
  Promise<DiscoverResult> {
  return familyRunner(spec.family).discover(spec, await engineOf(ctx), ctx);
}

/** Scores a given circuit of spec.model where runDiscovery would score the circuit it finds. */
export async function runScoring(spec: DiscoverSpec, circuit: Circuit, ctx: { engine?: Engine } = {}):
  Promise<CircuitScores> {
  const runner = familyRunner(spec.family);
  if (!runner.score) throw new UserError("model", `scoring a given circuit is not available for the ${spec.family} family yet`);
  return runner.score(spec, circuit, await engineOf(ctx));
}

/** One run of the study: its record (src/study/types.ts). A fresh engine unless ctx gives one. */
export async function runStudyRun(spec: StudyRunSpec, ctx: StudyRunContext = {}):
  Promise<StudyRunResult> {
  const runner = familyRunner(spec.family);
  if (!runner.studyRun) throw new UserError("family", `the ${spec.family} family has no study runs`);
  return runner.studyRun(spec, await engineOf(ctx), ctx);
}

/** A { kind, spec } message run in this process (what a worker of the jobs layer does with it). */
export function runRequest(req: RunRequest, ctx: RunContext<TrainProgress | DiscoverProgress | StudyRunProgress> = {}):
  Promise<TrainResult | DiscoverResult | StudyRunResult> {
  switch (req.kind) {
    case "train":
      return runTraining(req.spec, ctx);
    case "discover":
      return runDiscovery(req.spec, ctx);
    case "study-run":
      return runStudyRun(req.spec, ctx);
  }
}
