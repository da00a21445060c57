// What the MLP tasks' training settings share: the BIMT reference's small-network constants (lr 2e-3,
// A = 1, l0 = 0.2, sum form, swaps every 200 steps with top_k 10, inputs swappable). Each task gives
// what differs. The sequence tasks have their own (sequence/reference-settings.ts).
import type { TrainSettings } from "./types.ts";

type Given = Pick<TrainSettings, "model" | "loss" | "steps" | "lambda"> & Partial<TrainSettings>;

const ORDER: readonly (keyof TrainSettings)[] = ["model", "loss", "steps", "lr", "lambda", "weightFactor", "l0",
  "costForm", "lastLayerNoDistance", "swapEvery", "topK", "batch", "biasPenaltyFrom", "swapInputs"];

/**
 * The reference defaults under `given`. Keys come in the order the tasks always wrote them (so records
 * keep their bytes), then any other given key; unset optional keys are left out.
 */
export function mlpSettings(given: Given): TrainSettings {
  const d: Record<string, unknown> = { lr: 2e-3, weightFactor: 1, l0: 0.2, costForm: "sum", lastLayerNoDistance: false,
    swapEvery: 200, topK: 10, swapInputs: true, ...given };
  const out: Record<string, unknown> = {};
  for (const key of ORDER) if (d[key] !== undefined) out[key] = d[key];
  for (const key of Object.keys(d)) if (!(key in out) && d[key] !== undefined) out[key] = d[key];
  return out as unknown as TrainSettings;
}
