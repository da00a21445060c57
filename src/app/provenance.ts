// Provenance, written by one function per file kind whichever face ran the work: a model's meta says
// how to train it again (task, mode, seed, every setting, the data and how they were read) and what
// came of it; a circuit's meta says which version found it on which data. Wall-clock times stay out,
// so the same run gives the same files from every face.
import type { Dataset } from "../tasks/types.ts";
import type { Metrics } from "../train/trainer.ts";
import { dataRecord } from "./data-spec.ts";
import type { MlpDiscoverSpec, MlpTrainSpec } from "./specs.ts";
import { VERSION } from "./version.ts";

export function modelMeta(spec: MlpTrainSpec, data: Dataset, outcome: { steps: number; aborted: boolean;
  metrics: Metrics }): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    family: spec.family,
    task: spec.task,
    mode: spec.mode,
    seed: spec.seed,
    settings: spec.settings,
    steps: outcome.steps,
    aborted: outcome.aborted,
    metrics: outcome.metrics,
    inputNames: data.inputNames,
    outputNames: data.outputNames,
    trainedWith: `brainwire ${VERSION}`,
  };
  if (spec.permuteAdam) meta.permuteAdam = true;
  if (spec.data) meta.data = dataRecord(spec.data, data);
  return meta;
}

export function circuitMeta(spec: Pick<MlpDiscoverSpec, "task" | "pairs" | "examples" | "data">, heldOut: boolean):
  Record<string, unknown> {
  return {
    task: spec.task,
    examples: spec.pairs ? spec.pairs.clean.length : spec.examples,
    data: spec.pairs ? "given pairs" : spec.data ? "your data" : "the task's seeded data",
    scoredOn: heldOut ? "held-out split" : spec.pairs ? "the given pairs" : "training split (no held-out split)",
    discoveredWith: `brainwire ${VERSION}`,
  };
}
