// Small sequence tasks for the trainer's tests: the real generators with fewer sequences.
import { iclSettings } from "../../src/tasks/sequence/icl-regression.ts";
import type { SeqTrainSettings } from "../../src/tasks/sequence-types.ts";

export { iclRegressionDataset } from "../../src/tasks/sequence/icl-regression.ts";
export { inductionDataset } from "../../src/tasks/sequence/induction.ts";

/** The icl-regression reference settings with `steps` steps (λ phases scaled to the new length). */
export function iclSettingsFor(steps: number): SeqTrainSettings {
  const scale = steps / iclSettings.steps;
  return { ...iclSettings, steps, lambda: iclSettings.lambda.map((p) => ({ from: Math.floor(p.from * scale), value: p.value })) };
}
