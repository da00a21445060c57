// brainwire/train: BIMT and the baselines, the training loop itself (src/train). The root export's
// train() runs it with every option checked; this is for stepping it yourself.
export { MODES, modeParts, parseMode, type Mode, type ModeParts } from "../train/modes.ts";
export { withOverrides, type SettingOverrides } from "../train/settings.ts";
export { evaluate, wireLength } from "../train/evaluate.ts";
export {
  train,
  trainAsync,
  Trainer,
  TrainingDiverged,
  type Curves,
  type Metrics,
  type Progress,
  type TrainOptions,
  type TrainResult,
} from "../train/trainer.ts";
export { SeqTrainer, trainSeq, trainSeqAsync, type SeqMetrics, type SeqTrainOptions, type SeqTrainResult } from "../train/transformer-trainer.ts";
export { evaluateSeq } from "../train/transformer-evaluate.ts";
