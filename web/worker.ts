// The page's training worker: trains step by step so the page can draw the network as it learns, then
// runs circuit discovery on the trained model. Started from a Blob URL (see main.ts), so it is a classic
// worker bundled as an IIFE. Each slice of steps (about a frame long) is followed by a progress message
// and a turn of the event loop, where a "stop" message can arrive; a snapshot to draw rides along at
// most every SNAPSHOT_MS, which bounds what the page has to copy and draw.
import {
  checkMethod,
  checkAblation,
  createEngine,
  discover,
  finishSession,
  modelHash,
  serializeCircuit,
  serializeModel,
  startSession,
  type Dataset,
  type Engine,
  type Mlp,
} from "../src/index.ts";
import type { DiscoverRequest, FromWorker, ToWorker, TrainRequest } from "./protocol.ts";

/** Milliseconds of training between two looks at the message queue: Stop lands within about a frame. */
const SLICE_MS = 16;
/** Least milliseconds between two snapshots sent to be drawn. */
const SNAPSHOT_MS = 100;

const scope = self as unknown as Worker;
const post = (m: FromWorker) => scope.postMessage(m);

let engine: Promise<Engine> | undefined;
let trained: { model: Mlp; data: Dataset; seed: number; truth?: number[][] } | undefined;
let stopRequested = false;

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === "stop") {
    stopRequested = true;
    return;
  }
  const run = m.type === "train" ? trainLive(m) : discoverLive(m);
  run.catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }));
};

// A macrotask turn without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

async function trainLive(m: TrainRequest): Promise<void> {
  const e = await (engine ??= createEngine());
  trained?.model.dispose();
  trained = undefined;
  stopRequested = false;
  const s = await startSession(e, m);
  const steps = s.settings.steps;
  const t0 = performance.now();
  let step = 0;
  let swaps = 0;
  let sent = -Infinity;
  try {
    while (step < steps && !stopRequested) {
      const until = performance.now() + SLICE_MS;
      let r;
      do {
        r = s.trainer.step(step++);
        swaps += r.swaps;
        if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step - 1}: loss ${r.loss}`);
      } while (step < steps && performance.now() < until);
      const now = performance.now();
      const snapshot = now - sent >= SNAPSHOT_MS || step === steps ? s.trainer.model.toSnapshot() : undefined;
      if (snapshot) sent = now;
      post({ type: "progress", step, steps, loss: r.loss, cost: r.cost, swaps, snapshot,
        inputNames: s.data.inputNames, outputNames: s.data.outputNames });
      await nextTurn();
    }
  } catch (err) {
    s.trainer.dispose(false);
    throw err;
  }
  const { model, snapshot, metrics } = finishSession(s, step);
  trained = { model, data: s.data, seed: m.seed, truth: s.task.groundTruth };
  post({ type: "trained", snapshot, weightsHash: modelHash(snapshot), metrics, steps: step, swaps,
    ms: performance.now() - t0, stopped: step < steps });
  // The file text after the result, so the page shows "stopped" without waiting for it.
  post({ type: "model-file", text: serializeModel(snapshot) });
}

async function discoverLive(m: DiscoverRequest): Promise<void> {
  if (!trained) throw new Error("train a model first");
  let shown = performance.now();
  const onProgress = (done: number, total: number) => {
    if (performance.now() - shown < SLICE_MS) return;
    shown = performance.now();
    post({ type: "discovering", done, total });
  };
  const c = discover(trained.model, trained.data, { method: checkMethod(m.method), tau: m.tau,
    ablation: checkAblation(m.ablation), seed: trained.seed, truth: trained.truth, onProgress });
  post({ type: "circuit", kept: c.mask, circuitHash: c.circuitHash, metric: c.metric, metricValue: c.metricValue,
    scores: c.circuit.scores, file: serializeCircuit(c.circuit) });
}
