// The sequence (transformer) tasks by name, and the loaders for the user's own sequences.
// Runtime-agnostic: reading files is the caller's job.
import type { SeqTask } from "../sequence-types.ts";
import { iclRegression } from "./icl-regression.ts";
import { induction } from "./induction.ts";
import { modularAdditionSeq } from "./modular-addition-seq.ts";

export const seqTasks: Record<string, SeqTask> = Object.fromEntries(
  [iclRegression, induction, modularAdditionSeq].map((t) => [t.name, t]),
);

export const seqTaskNames: string[] = Object.keys(seqTasks);

export function getSeqTask(name: string): SeqTask {
  const task = Object.hasOwn(seqTasks, name) ? seqTasks[name] : undefined;
  if (!task) throw new Error(`unknown sequence task "${name}"; the sequence tasks are: ${seqTaskNames.join(", ")}`);
  return task;
}

export { ICL_REFERENCE, iclModel, iclRegression, iclRegressionDataset, type IclRegressionOptions } from "./icl-regression.ts";
export { INDUCTION_REFERENCE, induction, inductionDataset, inductionModel, type InductionOptions } from "./induction.ts";
export {
  MODULUS_SEQ, modularAdditionSeq, modularAdditionSeqDataset, modularAdditionSeqModel, modularAdditionSeqSettings,
} from "./modular-addition-seq.ts";
export { charDataset, tokenDataset, userLmModel, userSeqTask, type UserSequenceOptions } from "./user-sequences.ts";
