// Raw training input from any face (CLI flags, an HTTP body, library options, a worker message; all
// the same flat object) → a TrainSpec. The keys are the common ones below plus the family's own
// settings (for the MLP: steps, lr, lambda, shape, …); an unknown key is an error, like any bad value.
import { z } from "zod";
import { checkSpec } from "../model/mlp.ts";
import type { LambdaPhase, Task, TrainSettings } from "../tasks/types.ts";
import { MODES } from "../train/modes.ts";
import { parseLambda } from "../train/schedule.ts";
import { withOverrides } from "../train/settings.ts";
import { checkBudget, DEFAULT_MEMORY_BUDGET, trainingBytes } from "./budget.ts";
import { DataInput, dataTask, IdxInput, tableData, type DataSpec } from "./data-spec.ts";
import { findTask } from "./registry.ts";
import { bool, describe, listOf, nonNegative, oneOf, positive, seed, text, wholeNumber } from "./schema-parts.ts";
import type { MlpTrainSpec, TrainSpec } from "./specs.ts";
import { blame, fromZod, UserError } from "./user-error.ts";

/** What a face may limit: the server caps steps, every face may change the memory budget. */
export interface ResolveLimits {
  maxSteps?: number;
  /** Bytes (default DEFAULT_MEMORY_BUDGET). */
  memoryBudget?: number;
}

export const DEFAULT_TASK = "two-moons";
export const DEFAULT_MODE = "bimt";

const common = {
  /** Default two-moons, unless `data` is given. */
  task: text().optional(),
  mode: oneOf(MODES).optional(),
  seed: seed().optional(),
  /** User data (contents): { format?, text, name?, targets?, classification?, testFraction? } or MNIST IDX. */
  data: z.unknown().optional(),
};

const lambdaPhases = z.array(z.strictObject({ from: wholeNumber(0), value: nonNegative() }), {
  error: (iss) => `must be a λ schedule like "1e-3,5000:1e-2" or [{ from, value }, …], got ${describe(iss.input)}`,
}).min(1, "must have at least one phase");

/** The MLP family's training settings, as flat keys. */
export const mlpTrainKeys = {
  steps: wholeNumber(1),
  lr: positive(),
  /** "1e-3" or "1e-3,5000:1e-2" (value from step 0, then step:value), a number, or phases. */
  lambda: z.union([text(), nonNegative(), lambdaPhases], {
    error: (iss) => `must be a λ schedule like "1e-3,5000:1e-2" or [{ from, value }, …], got ${describe(iss.input)}`,
  }),
  /** Layer sizes, "2,20,20,2" or [2, 20, 20, 2]; input and output are the task's. */
  shape: listOf(wholeNumber(1), true),
  batch: wholeNumber(1),
  swapEvery: wholeNumber(1),
  topK: wholeNumber(1),
  weightFactor: nonNegative(),
  l0: nonNegative(),
  costForm: oneOf(["sum", "mean"] as const),
  permuteAdam: bool(),
};

const MlpTrainInput = z.strictObject({ ...common, ...mlpTrainKeys }).partial();
export type MlpTrainInput = z.input<typeof MlpTrainInput>;
/** What every face passes: the MLP keys now; a family with other settings widens this union. */
export type TrainInput = MlpTrainInput;

/** Resolves a face's raw training input into a TrainSpec; every problem is a UserError naming its field. */
export function resolveTrain(raw: unknown, limits: ResolveLimits = {}): TrainSpec {
  const input = asObject(raw);
  const taskName = typeof input.task === "string" ? input.task : undefined;
  const family = input.data !== undefined || taskName === undefined ? "mlp" : findTask(taskName).family;
  if (family !== "mlp") throw new UserError("task", `the ${family} family cannot be trained yet`);
  const parsed = MlpTrainInput.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  return resolveMlpTrain(parsed.data, limits);
}

function resolveMlpTrain(o: z.output<typeof MlpTrainInput>, limits: ResolveLimits): MlpTrainSpec {
  const seed = o.seed ?? 0;
  const data = o.data === undefined ? undefined : resolveData(o.data, seed);
  if (data && o.task !== undefined && !(data.format === "idx" && o.task === "mnist")) {
    throw new UserError("task", `give a task or your data, not both (task ${JSON.stringify(o.task)})`);
  }
  const task: Task = data ? dataTask(data) : mlpTask(o.task ?? DEFAULT_TASK);
  const settings = mlpSettings(task.settings, o);
  checkSteps(settings, o.steps !== undefined, limits);
  const batch = settings.batch ?? 1000;
  checkBudget("shape", `training shape [${settings.model.shape}]`, trainingBytes(settings.model, batch, 0, 0),
    limits.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  const spec: MlpTrainSpec = { family: "mlp", task: task.name, mode: o.mode ?? DEFAULT_MODE, seed, settings,
    permuteAdam: o.permuteAdam ?? false };
  if (data) spec.data = data;
  return spec;
}

function mlpTask(name: string): Task {
  const entry = findTask(name);
  if (entry.family !== "mlp") throw new UserError("task", `task ${JSON.stringify(name)} is a ${entry.family} task`);
  return entry.task;
}

/** The task's reference settings with the overrides; each bad value is blamed on its own key. */
export function mlpSettings(base: TrainSettings, o: Partial<z.output<typeof MlpTrainInput>>): TrainSettings {
  const lambda = o.lambda === undefined ? undefined : blame("lambda", () => lambdaSchedule(o.lambda!));
  const shape = o.shape;
  if (shape) {
    const old = base.model.shape;
    if (shape.length < 2 || shape[0] !== old[0] || shape[shape.length - 1] !== old[old.length - 1]) {
      throw new UserError("shape", `[${shape}] must run from the task's input size ${old[0]} to its output size ` +
        `${old[old.length - 1]}, e.g. ${[old[0], ...old.slice(1, -1), old[old.length - 1]].join(",")}`);
    }
    blame("shape", () => checkSpec({ ...base.model, shape }));
  }
  return withOverrides(base, { steps: o.steps, lr: o.lr, lambda, shape, batch: o.batch, swapEvery: o.swapEvery,
    topK: o.topK, weightFactor: o.weightFactor, l0: o.l0, costForm: o.costForm });
}

function lambdaSchedule(v: string | number | LambdaPhase[]): LambdaPhase[] {
  if (typeof v === "number") return [{ from: 0, value: v }];
  if (typeof v === "string") return parseLambda(v);
  if (v[0].from !== 0) throw new Error(`the first phase must start at step 0, got ${v[0].from}`);
  for (let i = 1; i < v.length; i++) {
    if (v[i].from <= v[i - 1].from) throw new Error(`phase steps must ascend, got ${v[i - 1].from} then ${v[i].from}`);
  }
  return v.map((p) => ({ from: p.from, value: p.value }));
}

function checkSteps(s: TrainSettings, asked: boolean, limits: ResolveLimits): void {
  if (limits.maxSteps === undefined || s.steps <= limits.maxSteps) return;
  throw new UserError("steps", asked ? `must be ≤ ${limits.maxSteps} here, got ${s.steps}` :
    `the task trains ${s.steps} steps by default, over the limit of ${limits.maxSteps} here: ask for fewer`);
}

/** `data` of a raw input: a table (CSV/JSON text) or MNIST IDX files. */
export function resolveData(raw: unknown, seed: number): DataSpec {
  const isIdx = typeof raw === "object" && raw !== null && (raw as { format?: unknown }).format === "idx";
  const r = (isIdx ? IdxInput : DataInput).safeParse(raw);
  if (!r.success) throw fromZod(r.error, "data");
  return isIdx ? (r.data as z.output<typeof IdxInput>) : tableData(r.data as z.output<typeof DataInput>, seed);
}

export function asObject(raw: unknown): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UserError("(options)", `must be an object of options, got ${describe(raw)}`);
  }
  return raw as Record<string, unknown>;
}
