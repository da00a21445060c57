// The transformer family's discovery (src/circuits/transformer): rebuilds the task's seeded sequences,
// finds the circuit with the spec's method, scores it on the held-out split (or on the given pairs),
// with the induction task's ground truth (the heads its attention scores pick), and sweeps τ.
import type { SeqDiscoveryData } from "../circuits/transformer/data.ts";
import { defaultOutputs, discoverTx, discoverTxOn, discoverTxSweep, type TxDiscoverOptions } from "../circuits/transformer/discover.ts";
import type { Engine } from "../engine/engine.ts";
import { Transformer } from "../model/transformer.ts";
import { TransformerPass } from "../model/transformer-pass.ts";
import type { SeqDataset } from "../tasks/sequence-types.ts";
import { discoveryProgress, selectionOptions } from "./mlp-family.ts";
import { circuitMeta } from "./provenance.ts";
import { findTask } from "./registry.ts";
import type { RunContext } from "./run-context.ts";
import type { DiscoverProgress, Pairs, TransformerDiscoverResult, TransformerDiscoverSpec } from "./specs.ts";
import { UserError } from "./user-error.ts";

export async function discoverTransformerRun(spec: TransformerDiscoverSpec, engine: Engine,
  ctx: RunContext<DiscoverProgress>): Promise<TransformerDiscoverResult> {
  const entry = findTask(spec.task);
  if (entry.family !== "transformer") throw new UserError("task", `task ${JSON.stringify(spec.task)} is an ${entry.family} task`);
  const ds = await entry.task.make(engine, spec.seed);
  const model = Transformer.fromTensors(engine, spec.model.spec, spec.model.tensors);
  try {
    const opts = options(spec, ds, ctx);
    let d;
    let heldOut: boolean;
    if (spec.pairs) {
      const pairs = pairsData(model, spec.pairs);
      d = discoverTxOn(model, pairs, pairs, ds.kind, opts);
      heldOut = false;
    } else {
      d = discoverTx(model, ds, opts);
      heldOut = ds.test.n > 0;
    }
    d.circuit.meta = circuitMeta(spec, heldOut);
    const result: TransformerDiscoverResult = {
      family: "transformer",
      circuit: d.circuit,
      circuitHash: d.circuitHash,
      edges: d.circuit.edges.length,
      totalEdges: d.graph.edges.length,
      metric: d.metric,
      evaluations: d.evaluations,
      nearTies: d.nearTies,
      ms: d.ms,
      heldOut,
    };
    if (d.metricValue !== undefined) result.metricValue = d.metricValue;
    if (spec.sweep) {
      const { onProgress, ...base } = opts;
      result.sweep = await discoverTxSweep(model, ds, base, spec.sweep, { signal: ctx.signal, onProgress });
    }
    return result;
  } finally {
    model.dispose();
  }
}

function options(spec: TransformerDiscoverSpec, ds: SeqDataset, ctx: RunContext<DiscoverProgress>): TxDiscoverOptions {
  const o: TxDiscoverOptions = { method: spec.method, ablation: spec.ablation, metric: spec.metric, seed: spec.seed,
    examples: spec.examples, granularity: spec.granularity, signal: ctx.signal, outputs: spec.outputs ?? defaultOutputs(ds) };
  Object.assign(o, selectionOptions(spec));
  if (spec.positions) o.positions = spec.positions;
  const progress = discoveryProgress(ctx);
  if (progress) o.onProgress = progress;
  return o;
}

/**
 * The user's sequences as discovery data: every position scored, the labels (or regression targets)
 * the full model's own outputs on the clean sequences, so nll, logit-diff and the task score measure
 * agreement with the model.
 */
function pairsData(model: Transformer, pairs: Pairs): SeqDiscoveryData {
  const s = model.spec;
  const n = pairs.clean.length;
  const T = s.ctx;
  const tokens = s.vocab !== undefined;
  const rows = (r: number[][]) => (tokens ? Int32Array.from(r.flat()) : Float32Array.from(r.flat()));
  const clean = rows(pairs.clean);
  const data: SeqDiscoveryData = { n, T, clean, corrupted: rows(pairs.corrupted), mask: new Uint8Array(n * T).fill(1) };
  const V = s.outDim;
  const e = model.engine;
  const pass = new TransformerPass(model, n);
  try {
    if (pass.tokens) e.i32(pass.tokens).set(clean);
    else e.f32(pass.inputs!).set(clean);
    const out = e.read(pass.forward(n));
    if (tokens) {
      data.labels = new Int32Array(n * T);
      for (let g = 0; g < n * T; g++) {
        let best = 0;
        for (let c = 1; c < V; c++) if (out[g * V + c] > out[g * V + best]) best = c;
        data.labels[g] = best;
      }
    } else data.targets = out;
  } finally {
    pass.dispose();
  }
  return data;
}
