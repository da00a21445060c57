// What the sequence tasks' training settings share: the BIMT reference's λ schedule shape (one value
// from the start, a second from steps/4, a third from 3·steps/4) and its connection-cost constants.
import type { LambdaPhase } from "../types.ts";
import type { SeqTrainSettings } from "../sequence-types.ts";

/** λ = first, then second from steps/4, then third from 3·steps/4. */
export function threePhaseLambda(steps: number, [first, second, third]: [number, number, number]): LambdaPhase[] {
  return [
    { from: 0, value: first },
    { from: steps / 4, value: second },
    { from: (3 * steps) / 4, value: third },
  ];
}

/** The settings every sequence task starts from (AdamW at 1e-3 without decay; A = 2, l0 = 0.5; swaps every 200 steps, top 20). */
export function seqSettings(s: Pick<SeqTrainSettings, "model" | "loss" | "steps" | "batch" | "lambda"> &
  Partial<SeqTrainSettings>): SeqTrainSettings {
  const d = { lr: 1e-3, weightDecay: 0, weightFactor: 2, l0: 0.5, swapEvery: 200, topK: 20, ...s };
  // Keys in SeqTrainSettings' order, so records that carry the settings keep their bytes.
  return { model: d.model, loss: d.loss, steps: d.steps, lr: d.lr, weightDecay: d.weightDecay, batch: d.batch,
    lambda: d.lambda, weightFactor: d.weightFactor, l0: d.l0, swapEvery: d.swapEvery, topK: d.topK };
}
