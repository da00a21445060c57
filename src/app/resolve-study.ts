// Raw input of one study run (a planned task × mode × seed with the study's discovery settings) → a
// StudyRunSpec; and a whole study config → its run specs, in the plan's order. The study protocol
// (src/study) plans and reports; the runs go through here, so a job queue can run them anywhere.
import { z } from "zod";
import { DEFAULT_TAU } from "../circuits/discover.ts";
import { ABLATIONS } from "../circuits/types.ts";
import { planRuns, scaleSteps } from "../study/protocol.ts";
import type { StudyConfig } from "../study/types.ts";
import { MODES } from "../train/modes.ts";
import { findTask, taskKind } from "./registry.ts";
import { asObject } from "./resolve-train.ts";
import { bool, listOf, nonNegative, oneOf, positive, seed, text, unit, wholeNumber } from "./schema-parts.ts";
import type { MlpStudyRunSpec } from "./specs.ts";
import { fromZod, UserError } from "./user-error.ts";

const StudyRunInput = z.strictObject({
  task: text(),
  mode: oneOf(MODES),
  seed: seed(),
  /** Every schedule step number × this, in (0, 1]. */
  stepScale: positive().refine((v) => v <= 1, "must be at most 1 (a study run is never longer than the reference)")
    .optional(),
  grid: listOf(positive(), true).optional(),
  ablation: oneOf(ABLATIONS).optional(),
  fraction: unit().optional(),
  examples: wholeNumber(1).optional(),
  inference: z.strictObject({ repetitions: wholeNumber(1), minMs: nonNegative() }).optional(),
  run: wholeNumber(1).optional(),
  runs: wholeNumber(1).optional(),
  keepModel: bool().optional(),
});
export type StudyRunInput = z.input<typeof StudyRunInput>;

/** The study defaults (src/study defaultConfig) for what a raw run leaves out. */
const STUDY_DEFAULTS = { fraction: 0.1, examples: 1000, inference: { repetitions: 5, minMs: 20 } };

export function resolveStudyRun(raw: unknown, defaultGrid: () => number[]): MlpStudyRunSpec {
  const r = StudyRunInput.safeParse(asObject(raw));
  if (!r.success) throw fromZod(r.error);
  const o = r.data;
  const entry = findTask(o.task);
  if (entry.family !== "mlp") throw new UserError("task", `the ${entry.family} family has no study runs yet`);
  const stepScale = o.stepScale ?? 1;
  const grid = [...(o.grid ?? defaultGrid())].sort((a, b) => a - b);
  if (grid.length === 0) throw new UserError("grid", "must list at least one τ");
  const run = o.run ?? 1;
  const runs = o.runs ?? run;
  if (runs < run) throw new UserError("runs", `must be ≥ run (${run}), got ${runs}`);
  return {
    family: "mlp",
    task: entry.task.name,
    mode: o.mode,
    seed: o.seed,
    settings: scaleSteps(entry.task.settings, stepScale),
    stepScale,
    discovery: { ablation: o.ablation ?? "resample", tau: DEFAULT_TAU[taskKind(entry)], grid,
      fraction: o.fraction ?? STUDY_DEFAULTS.fraction, examples: o.examples ?? STUDY_DEFAULTS.examples },
    inference: o.inference ?? STUDY_DEFAULTS.inference,
    run,
    runs,
    keepModel: o.keepModel ?? false,
  };
}

/** The study's runs in plan order; the first seed's runs keep their model and circuit for the pictures. */
export function studyRunSpecs(c: StudyConfig): MlpStudyRunSpec[] {
  const plan = planRuns(c);
  return plan.map((p, i) => resolveStudyRun({ task: p.task, mode: p.mode, seed: p.seed, stepScale: c.stepScale,
    grid: c.grid, ablation: c.ablation, fraction: c.fraction, examples: c.examples, inference: c.inference,
    run: i + 1, runs: plan.length, keepModel: p.seed === c.seeds[0] }, () => c.grid));
}
