// The model families a run can use, and what each one does with a resolved spec. runTraining,
// runDiscovery and runStudyRun (run.ts) dispatch on spec.family to the runner registered here.
//
// Adding a family (the transformer family is the next one):
//   1. its spec types join the unions in specs.ts (TrainSpec, DiscoverSpec, StudyRunSpec, results),
//      with `family: "<name>"`; they must stay plain JSON;
//   2. its tasks are registered with registerTask({ family, task }) (registry.ts);
//   3. resolve-train.ts (and resolve-discover.ts) pick its zod schema of settings keys when the task is
//      one of its tasks (see `family` in resolveTrain), and resolve into its spec;
//   4. a FamilyRunner for it is registered below: train, discover and studyRun take its spec and a
//      RunContext and return plain data; they report progress as plain data and honour ctx.signal.
// Nothing else changes: the faces call run.ts only, and the jobs layer carries { kind, spec } as it is.
import { createEngine, type Engine } from "../engine/engine.ts";
import type { RunRecord } from "../study/types.ts";
import type { Circuit } from "../circuits/circuit-io.ts";
import type { CircuitScores } from "../circuits/score.ts";
import { discoverMlpRun, scoreMlpRun, trainMlpRun } from "./mlp-family.ts";
import { studyRunMlp } from "./mlp-study.ts";
import { discoverTransformerRun } from "./transformer-discover.ts";
import type { Family } from "./registry.ts";
import type { RunContext, StudyRunContext } from "./run-context.ts";
import type { DiscoverProgress, DiscoverResult, DiscoverSpec, StudyRunProgress, StudyRunSpec, TrainProgress,
  TrainResult, TrainSpec } from "./specs.ts";
import { UserError } from "./user-error.ts";

export interface FamilyRunner {
  family: Family;
  /** Absent while a family can discover on given models but not yet train them. */
  train?(spec: TrainSpec, engine: Engine, ctx: RunContext<TrainProgress>): Promise<TrainResult>;
  discover(spec: DiscoverSpec, engine: Engine, ctx: RunContext<DiscoverProgress>): Promise<DiscoverResult>;
  /** A given circuit of spec.model, scored where discovery would score it. */
  score?(spec: DiscoverSpec, circuit: Circuit, engine: Engine): Promise<CircuitScores>;
  studyRun?(spec: StudyRunSpec, engine: Engine, ctx: StudyRunContext): Promise<RunRecord>;
}

const runners = new Map<Family, FamilyRunner>();

export function registerFamily(runner: FamilyRunner): void {
  runners.set(runner.family, runner);
}

registerFamily({ family: "mlp", train: trainMlpRun, discover: discoverMlpRun, score: scoreMlpRun,
  studyRun: studyRunMlp });
registerFamily({ family: "transformer", discover: discoverTransformerRun });

export function familyRunner(family: Family): FamilyRunner {
  const r = runners.get(family);
  if (!r) throw new UserError("family", `the ${family} family is not available in this build`);
  return r;
}

export async function engineOf(ctx: { engine?: Engine }): Promise<Engine> {
  return ctx.engine ?? (await createEngine());
}
