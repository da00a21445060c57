// Overriding a task's reference settings from flags or an API call, with clear errors.
import { checkSpec } from "../model/mlp.ts";
import type { LambdaPhase, TrainSettings } from "../tasks/types.ts";
import { parseLambda } from "./schedule.ts";

export interface SettingOverrides {
  steps?: number;
  lr?: number;
  /** "1e-3" or "1e-3,5000:1e-2", or the phases */
  lambda?: string | LambdaPhase[];
  /** "2,20,20,2" or the sizes */
  shape?: string | number[];
  batch?: number;
  swapEvery?: number;
  topK?: number;
  weightFactor?: number;
  l0?: number;
  costForm?: string;
}

export function withOverrides(base: TrainSettings, o: SettingOverrides): TrainSettings {
  const s: TrainSettings = structuredClone(base);
  if (o.steps !== undefined) s.steps = positiveInt("steps", o.steps);
  if (o.lr !== undefined) s.lr = positive("lr", o.lr);
  if (o.lambda !== undefined) s.lambda = typeof o.lambda === "string" ? parseLambda(o.lambda) : structuredClone(o.lambda);
  if (o.batch !== undefined) s.batch = positiveInt("batch", o.batch);
  if (o.swapEvery !== undefined) s.swapEvery = positiveInt("swap-every", o.swapEvery);
  if (o.topK !== undefined) s.topK = positiveInt("top-k", o.topK);
  if (o.weightFactor !== undefined) s.weightFactor = nonNegative("weight-factor", o.weightFactor);
  if (o.l0 !== undefined) s.l0 = nonNegative("l0", o.l0);
  if (o.costForm !== undefined) {
    if (o.costForm !== "sum" && o.costForm !== "mean") throw new Error(`cost form must be "sum" or "mean", got "${o.costForm}"`);
    s.costForm = o.costForm;
  }
  if (o.shape !== undefined) {
    const shape = typeof o.shape === "string" ? o.shape.split(",").map((t) => Number(t.trim())) : [...o.shape];
    const old = s.model.shape;
    if (shape[0] !== old[0] || shape[shape.length - 1] !== old[old.length - 1]) {
      throw new Error(`shape ${o.shape}: the task fixes the input (${old[0]}) and output (${old[old.length - 1]}) sizes`);
    }
    s.model.shape = shape;
  }
  checkSpec(s.model);
  return s;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number ≥ 1, got ${v}`);
  return v;
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name} must be a positive number, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${name} must be a number ≥ 0, got ${v}`);
  return v;
}
