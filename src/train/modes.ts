// The ablation ladder of docs/training.md: which parts of BIMT each training mode switches on.
import type { TrainSettings } from "../tasks/types.ts";

export const MODES = ["vanilla", "l1", "l1+local", "l1+swap", "bimt"] as const;
export type Mode = (typeof MODES)[number];

export interface ModeParts {
  /** λ follows the task's schedule (else 0). */
  penalise: boolean;
  /** A in the loss's connection cost. */
  lossA: number;
  /** A used to score swaps; swaps happen only when `swaps`. */
  swapA: number;
  swaps: boolean;
}

export function parseMode(name: string): Mode {
  if ((MODES as readonly string[]).includes(name)) return name as Mode;
  throw new Error(`unknown mode "${name}": choose one of ${MODES.join(", ")}`);
}

/** The settings a mode reads: an MLP task's TrainSettings or a sequence task's SeqTrainSettings. */
export type ModeSettings = Pick<TrainSettings, "weightFactor" | "swapWeightFactor">;

export function modeParts(mode: Mode, s: ModeSettings): ModeParts {
  const A = s.weightFactor;
  const swapA = s.swapWeightFactor ?? A;
  switch (mode) {
    case "vanilla":
      return { penalise: false, lossA: 0, swapA, swaps: false };
    case "l1":
      return { penalise: true, lossA: 0, swapA, swaps: false };
    case "l1+local":
      return { penalise: true, lossA: A, swapA, swaps: false };
    case "l1+swap":
      return { penalise: true, lossA: 0, swapA, swaps: true };
    case "bimt":
      return { penalise: true, lossA: A, swapA, swaps: true };
  }
}
