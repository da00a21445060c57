// The page's training worker, a thin adapter over the app layer (src/app): a "train" message is resolved
// into a run spec like every face's input and run by runTraining, which hands the event loop a turn every
// slice (about a frame) so a "stop" lands at once, and reports progress with a snapshot to draw at most
// every SNAPSHOT_MS; "discover" runs runDiscovery on the model just trained. Started from a Blob URL
// (see main.ts), so it is a classic worker bundled as an IIFE.
import {
  resolveDiscover,
  resolveTrain,
  runDiscovery,
  runTraining,
  type TrainResult,
} from "../src/app/index.ts";
import { circuitMask, serializeCircuit } from "../src/circuits/circuit-io.ts";
import { createEngine, type Engine } from "../src/engine/engine.ts";
import { serializeModel } from "../src/model/io.ts";
import { runInput, type DiscoverRequest, type FromWorker, type ToWorker, type TrainRequest } from "./protocol.ts";

/** Milliseconds of training between two looks at the message queue: Stop lands within about a frame. */
const SLICE_MS = 16;
/** Least milliseconds between two snapshots sent to be drawn. */
const SNAPSHOT_MS = 100;

const scope = self as unknown as Worker;
const post = (m: FromWorker) => scope.postMessage(m);

let engine: Promise<Engine> | undefined;
let trained: TrainResult | undefined;
let stop: AbortController | undefined;

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === "stop") {
    stop?.abort();
    return;
  }
  const run = m.type === "train" ? trainLive(m) : discoverLive(m);
  run.catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }));
};

async function trainLive(m: TrainRequest): Promise<void> {
  trained = undefined;
  const spec = resolveTrain(runInput(m));
  stop = new AbortController();
  // Names come with the first snapshot; every progress message carries them, as the page expects.
  let names: { inputNames?: string[]; outputNames?: string[] } = {};
  const r = await runTraining(spec, {
    engine: await (engine ??= createEngine()),
    signal: stop.signal,
    sliceMs: SLICE_MS,
    progressEveryMs: SLICE_MS,
    modelEveryMs: SNAPSHOT_MS,
    onProgress: (p) => {
      if (p.model) names = { inputNames: p.inputNames, outputNames: p.outputNames };
      post({ type: "progress", step: p.step, steps: p.steps, loss: p.loss, cost: p.cost, swaps: p.swaps,
        snapshot: p.model, ...names });
    },
  });
  trained = r;
  post({ type: "trained", snapshot: r.model, weightsHash: r.weightsHash, metrics: r.metrics, steps: r.steps,
    swaps: r.swaps, ms: r.wallMs, stopped: r.aborted });
  // The file text after the result, so the page shows "stopped" without waiting for it.
  post({ type: "model-file", text: serializeModel(r.model) });
}

async function discoverLive(m: DiscoverRequest): Promise<void> {
  if (!trained) throw new Error("train a model first");
  const spec = resolveDiscover({ model: trained.model, ...runInput(m) });
  const d = await runDiscovery(spec, {
    engine: await (engine ??= createEngine()),
    progressEveryMs: SLICE_MS,
    onProgress: (p) => post({ type: "discovering", done: p.done, total: p.total }),
  });
  // The page trains MLPs only, so its circuits are MLP circuits.
  if (d.family !== "mlp" || spec.family !== "mlp") throw new Error("the page draws MLP circuits only");
  post({ type: "circuit", kept: circuitMask(d.circuit, spec.model.spec), circuitHash: d.circuitHash, metric: d.metric,
    metricValue: d.metricValue, scores: d.circuit.scores, file: serializeCircuit(d.circuit) });
}
