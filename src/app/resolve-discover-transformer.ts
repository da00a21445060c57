// Raw discovery input for a transformer model → a TransformerDiscoverSpec, checked before any work: the
// model is a valid transformer file of finite f32 weights, its task is a registered sequence task it
// fits (vocabulary or input width, outputs, context), the metric suits the task and the method, and the
// run fits the memory budget. resolve-discover.ts sends transformer models here.
import { defaultMetric } from "../circuits/discover.ts";
import { buildGraph } from "../circuits/transformer/graph.ts";
import { TX_DEFAULT_EXAMPLES } from "../circuits/transformer/discover.ts";
import type { MetricName, Method } from "../circuits/types.ts";
import { validateTransformerSnapshot, type TransformerSnapshot } from "../model/transformer-io.ts";
import type { TransformerSpec } from "../model/transformer-spec.ts";
import type { SeqTask } from "../tasks/sequence-types.ts";
import { checkBudget, DEFAULT_MEMORY_BUDGET } from "./budget.ts";
import { findTask, taskKind } from "./registry.ts";
import { pairRows, selection, sweepGrid, type ParsedDiscoverInput } from "./resolve-discover.ts";
import type { ResolveLimits } from "./resolve-train.ts";
import { seed } from "./schema-parts.ts";
import type { TransformerDiscoverSpec } from "./specs.ts";
import { asUserError, fromZod, UserError } from "./user-error.ts";

/** Whether a raw model is a transformer file (version 2); it is then validated as one. */
export function isTransformerInput(model: unknown): boolean {
  return typeof model === "object" && model !== null && (model as { version?: unknown }).version === 2;
}

export function resolveTransformerDiscover(o: ParsedDiscoverInput, limits: ResolveLimits): TransformerDiscoverSpec {
  let model: TransformerSnapshot;
  try {
    model = validateTransformerSnapshot(o.model);
  } catch (err) {
    throw asUserError(err, "model");
  }
  const meta = model.meta ?? {};
  if (o.data !== undefined) throw new UserError("data", "discovery on a transformer runs on its task's sequences or on given pairs");
  const metaSeed = meta.seed === undefined ? undefined : seed().safeParse(meta.seed);
  if (metaSeed && !metaSeed.success) throw fromZod(metaSeed.error, "model.meta.seed");
  const runSeed = o.seed ?? metaSeed?.data;
  if (runSeed === undefined) throw new UserError("seed", "required: the model's meta records no seed");
  const taskName = o.task ?? (typeof meta.task === "string" ? meta.task : undefined);
  if (taskName === undefined) throw new UserError("task", "required: the model's meta names no task");
  const entry = findTask(taskName);
  if (entry.family !== "transformer") throw new UserError("task", `task ${JSON.stringify(taskName)} is an ${entry.family} task`);
  checkFits(model.spec, entry.task, taskName);
  const kind = taskKind(entry);

  const method: Method = o.method ?? "acdc";
  const usesEap = method === "eap" || method === "eap-ig";
  if (o.metric === "custom") throw new UserError("metric", "a metric function applies to MLP models, not transformers");
  const metric: MetricName = o.metric ?? defaultMetric(kind, usesEap);
  if ((metric === "nll" || metric === "logit-diff") && kind !== "classification") {
    throw new UserError("metric", `${metric} needs next-token labels; this is a regression task (use mse)`);
  }
  if (metric === "kl" && kind === "regression") throw new UserError("metric", "kl compares softmax outputs; this is a regression task (use mse)");
  if (metric === "kl" && usesEap) {
    throw new UserError("metric", `${method} needs a metric with a gradient at the clean run (nll, logit-diff or mse); KL to the full model has none`);
  }
  const V = model.spec.outDim;
  for (const [i, out] of (o.outputs ?? []).entries()) {
    if (out >= V) throw new UserError(`outputs[${i}]`, `${out} is not an output index < ${V}`);
  }
  if (o.outputs?.length === 0) throw new UserError("outputs", "must not be empty");
  for (const [i, t] of (o.positions ?? []).entries()) {
    if (t >= model.spec.ctx) throw new UserError(`positions[${i}]`, `${t} is not a position < ctx ${model.spec.ctx}`);
  }
  if (o.positions?.length === 0) throw new UserError("positions", "must not be empty");

  const spec: TransformerDiscoverSpec = { family: "transformer", model, task: taskName, seed: runSeed, method,
    ablation: o.ablation ?? "resample", metric, examples: o.examples ?? TX_DEFAULT_EXAMPLES, granularity: o.granularity ?? "component" };
  Object.assign(spec, selection(o, method, metric));
  if (o.outputs) spec.outputs = o.outputs;
  if (o.positions) spec.positions = [...new Set(o.positions)].sort((a, b) => a - b);
  if (o.pairs) {
    const s = model.spec;
    const width = s.ctx * (s.inDim ?? 1);
    spec.pairs = pairRows(o.pairs, width, s.vocab);
  }
  const grid = sweepGrid(o);
  if (grid) spec.sweep = grid;
  const sequences = spec.pairs ? spec.pairs.clean.length : spec.examples;
  checkBudget("model", `discovery on a ${model.spec.nLayers}-layer transformer with ${sequences} sequences`,
    txDiscoveryBytes(model.spec, sequences, spec.granularity), limits.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  return spec;
}

/** The model reads the task's tokens (or vectors) in its context and writes its outputs. */
function checkFits(s: TransformerSpec, task: SeqTask, name: string): void {
  const m = task.settings.model;
  const fail = (problem: string): never => {
    throw new UserError("model", `does not fit task ${name}: ${problem}`);
  };
  if ((m.vocab === undefined) !== (s.vocab === undefined)) fail(m.vocab === undefined ? "the task's inputs are vectors" : "the task's inputs are tokens");
  if (m.vocab !== undefined && s.vocab! < m.vocab) fail(`the task has ${m.vocab} tokens, the model's vocabulary ${s.vocab}`);
  if (m.inDim !== undefined && s.inDim !== m.inDim) fail(`the task's vectors have ${m.inDim} features, the model reads ${s.inDim}`);
  if (s.outDim !== m.outDim) fail(`the task has ${m.outDim} outputs, the model ${s.outDim}`);
  if (s.ctx !== m.ctx) fail(`the task's sequences have ${m.ctx} positions, the model's context ${s.ctx}`);
}

/**
 * The big buffers of a transformer discovery (4-byte elements): per row of the discovery and the
 * held-out sequences, three passes' worth (clean, corrupted, the ACDC state and its tentative twin) of
 * every sender's contribution, every head's q, k, v and z, the MLP activations and the logits.
 */
export function txDiscoveryBytes(s: TransformerSpec, sequences: number, granularity: TransformerDiscoverSpec["granularity"]): number {
  const rows = 2 * sequences * s.ctx; // discovery + held out
  const senders = buildGraph(s, "component").senders.length;
  const perRow = senders * s.dModel + s.nLayers * s.nHeads * 4 * s.dHead + s.nLayers * s.dMlp + s.outDim + 4 * s.dModel;
  const fine = granularity === "fine" ? s.nLayers * s.dMlp * 2 : 0;
  return 4 * rows * 4 * (perRow + fine);
}
