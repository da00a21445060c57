// The training loop: task loss + λ(step)·connection cost, Adam, and relocates every swapEvery steps
// (docs/training.md). Buffers are allocated once; a step makes kernel calls and no allocations.
import { elementPtr, type Buf, type Engine } from "../engine/engine.ts";
import { Rng } from "../engine/random.ts";
import { Mlp } from "../model/mlp.ts";
import { Pass, uploadInputs, type InputBuf } from "../model/pass.ts";
import type { Dataset, Split, TrainSettings } from "../tasks/types.ts";
import { ConnectionCost } from "./cost.ts";
import { modeParts, type Mode, type ModeParts } from "./modes.ts";
import { lambdaAt } from "./schedule.ts";
import { evaluate, inputWidth, wireLength } from "./evaluate.ts";
import { Relocator } from "./swap.ts";

export interface Progress {
  step: number;
  steps: number;
  loss: number;
  cost: number;
  lambda: number;
  swaps: number;
  /** Latest test metric, when one has been measured. */
  test?: number;
}

export interface TrainOptions {
  mode: Mode;
  seed: number;
  settings: TrainSettings;
  /** Permute Adam's moments along with a swap. The reference does not (default false). */
  permuteAdamState?: boolean;
  /** Curve points are recorded every this many steps (default: steps / 200). */
  recordEvery?: number;
  /** The test metric is measured every this many steps (default: steps / 20). */
  evalEvery?: number;
  onProgress?: (p: Progress) => void;
  /** Progress callback period in steps (default: steps / 100). */
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface Curves {
  step: number[];
  loss: number[];
  cost: number[];
  lambda: number[];
  testStep: number[];
  test: number[];
}

export interface Metrics {
  /** Accuracy (classification) or MSE (regression) on the held-out split. */
  test: number;
  train: number;
  metric: "accuracy" | "mse";
  cost: number;
  wireLength: number;
}

export interface TrainResult {
  model: Mlp;
  metrics: Metrics;
  curves: Curves;
  steps: number;
  aborted: boolean;
  swaps: number;
  wallMs: number;
  stepsPerSecond: number;
  peakWasmBytes: number;
}

/** The loss stopped being a finite number: the settings (usually the learning rate) do not train this model. */
export class TrainingDiverged extends Error {
  override name = "TrainingDiverged";
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`training diverged at step ${step}: loss ${loss}`);
  }
}

/** Dataset splits uploaded to WASM memory; labels and targets stay in JS (they are tiny per batch). */
interface Uploaded {
  x: InputBuf;
  split: Split;
}

export class Trainer {
  readonly model: Mlp;
  readonly parts: ModeParts;
  readonly cost: ConnectionCost;
  private readonly relocator: Relocator;
  private readonly pass: Pass;
  private readonly grad: Buf;
  private readonly m1: Buf;
  private readonly m2: Buf;
  /** Gradient of the loss w.r.t. each weight layer's pre-activation (batch × out), and a scratch for da. */
  private readonly dz: Buf[];
  private readonly da: Buf;
  private readonly target: Buf | Buf<"i32">; // mse: f32 targets (B × out); ce and one-hot mse: labels (B)
  private readonly train: Uploaded;
  private readonly batch: number;
  private readonly batchRng: Rng;
  private order: Int32Array;
  private cursor = 0;
  private adamStep = 0;
  private readonly slotOf: Int32Array;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly data: Dataset,
    readonly opts: TrainOptions,
    model?: Mlp,
  ) {
    const s = opts.settings;
    checkCompatible(data, s);
    const root = new Rng(opts.seed);
    this.model = model ?? Mlp.init(engine, s.model, root.fork());
    this.batchRng = root.fork();
    this.parts = modeParts(opts.mode, s);
    this.cost = new ConnectionCost(this.model, s, { lossA: this.parts.lossA, swapA: this.parts.swapA });
    this.relocator = new Relocator(this.model, this.cost);
    this.train = { x: uploadInputs(engine, data.train.x, inputWidth(data)), split: data.train };
    this.batch = Math.min(s.batch ?? data.train.n, data.train.n);
    this.pass = new Pass(this.model, this.batch);
    const total = this.model.layout.total;
    this.grad = engine.alloc(total);
    this.m1 = engine.alloc(total);
    this.m2 = engine.alloc(total);
    const { shape } = s.model;
    this.dz = shape.slice(1).map((n) => engine.alloc(this.batch * n));
    this.da = engine.alloc(this.batch * Math.max(...shape));
    this.target = s.loss === "mse" ? engine.alloc(this.batch * shape[shape.length - 1]) : engine.alloc(this.batch, "i32");
    this.slotOf = new Int32Array(shape[shape.length - 1]);
    this.order = this.batch < data.train.n ? this.batchRng.permutation(data.train.n) : identityOrder(data.train.n);
  }

  get batchSize(): number {
    return this.batch;
  }

  /** λ at a step, 0 for vanilla. */
  lambda(step: number): number {
    return this.parts.penalise ? lambdaAt(this.opts.settings.lambda, step) : 0;
  }

  penaliseBias(step: number): boolean {
    const from = this.opts.settings.biasPenaltyFrom;
    return from !== undefined && step >= Math.floor(from * this.opts.settings.steps);
  }

  /**
   * Loads the next batch, runs forward and backward, and leaves ∂(loss + λ·cost)/∂θ in the gradient
   * buffer. Returns the task loss and the (unweighted) cost.
   */
  computeGradients(step: number, lambda = this.lambda(step)): { loss: number; cost: number } {
    const start = this.nextBatchStart();
    this.pass.load(this.train.x, this.order, start, this.batch);
    this.pass.forward(this.batch);
    const loss = this.lossAndOutputGrad(start);
    this.backward();
    const cost = this.cost.evaluate(lambda, this.penaliseBias(step), this.grad);
    return { loss, cost };
  }

  /** One optimiser step (and a relocate when due). Returns the loss, cost and swaps made. */
  step(step: number): { loss: number; cost: number; swaps: number } {
    const s = this.opts.settings;
    const { loss, cost } = this.computeGradients(step);
    this.adamStep++;
    this.engine.k.adam(this.model.params.ptr, this.grad.ptr, this.m1.ptr, this.m2.ptr, this.model.layout.total,
      s.lr, 0.9, 0.999, 1e-8, this.adamStep);
    let swaps = 0;
    if (this.parts.swaps && (step + 1) % s.swapEvery === 0) {
      swaps = this.relocator.relocate({
        topK: s.topK,
        swapInputs: s.swapInputs,
        alsoPermute: this.opts.permuteAdamState ? [this.m1, this.m2] : [],
      });
    }
    return { loss, cost, swaps };
  }

  /** Gradient buffer contents (a copy), laid out like the parameters. */
  readGradient(): Float32Array {
    return this.engine.read(this.grad);
  }

  relocateNow(): number {
    const s = this.opts.settings;
    return this.relocator.relocate({ topK: s.topK, swapInputs: s.swapInputs });
  }

  /** Swap-scoring deltas for tests and pictures. */
  swapDeltas(layer: number, j: number): Float32Array {
    return this.relocator.deltas(layer, j);
  }

  /** Ends training after `stepsDone` steps: frees the training buffers and measures the model. */
  finish(stepsDone: number): Metrics {
    const cost = this.cost.evaluate(0, this.penaliseBias(stepsDone));
    // Training buffers go first, so the evaluation's own copy of the data never sits beside them.
    this.dispose();
    const test = evaluate(this.model, this.data.test, this.data);
    return {
      test: test.value,
      train: evaluate(this.model, this.data.train, this.data).value,
      metric: test.metric,
      cost,
      wireLength: wireLength(this.model),
    };
  }

  dispose(keepModel = true): void {
    if (this.disposed) {
      if (!keepModel) this.model.dispose();
      return;
    }
    this.disposed = true;
    const e = this.engine;
    this.pass.dispose();
    this.relocator.dispose();
    this.cost.dispose();
    e.free(this.grad, this.m1, this.m2, ...this.dz, this.da, this.target, this.train.x.buf);
    if (!keepModel) this.model.dispose();
  }

  private nextBatchStart(): number {
    const n = this.data.train.n;
    if (this.cursor + this.batch > n) {
      // New epoch: reshuffle (mini-batch) or start over (full batch).
      if (this.batch < n) this.order = this.batchRng.permutation(n);
      this.cursor = 0;
    }
    const start = this.cursor;
    this.cursor += this.batch;
    return start;
  }

  /** Writes the batch's targets in output-slot order, computes the task loss and ∂loss/∂z_out. */
  private lossAndOutputGrad(start: number): number {
    const { k } = this.engine;
    const s = this.opts.settings;
    const B = this.batch;
    const dOut = s.model.shape[s.model.shape.length - 1];
    const out = this.pass.z[this.model.depth - 1];
    const dz = this.dz[this.model.depth - 1];
    const y = this.train.split.y;
    if (this.target.type === "f32") {
      const t = this.engine.f32(this.target);
      const perm = this.model.outPerm;
      for (let r = 0; r < B; r++) {
        const row = this.order[start + r] * dOut;
        for (let p = 0; p < dOut; p++) t[r * dOut + p] = y[row + perm[p]];
      }
      return k.mseLoss(out.ptr, this.target.ptr, dz.ptr, B * dOut, 1);
    }
    const labels = this.engine.i32(this.target);
    const slotOf = this.slotOf; // output slot of each class, refreshed in place (swaps move outputs)
    this.model.outPerm.forEach((c, p) => (slotOf[c] = p));
    for (let r = 0; r < B; r++) labels[r] = slotOf[y[this.order[start + r]]];
    return s.loss === "ce"
      ? k.softmaxCrossEntropy(out.ptr, this.target.ptr, dz.ptr, B, dOut, 1)
      : k.mseOneHotLoss(out.ptr, this.target.ptr, dz.ptr, B, dOut, 1);
  }

  private backward(): void {
    const { k } = this.engine;
    const m = this.model;
    const { shape } = m.spec;
    const B = this.batch;
    const g = (offset: number) => elementPtr(this.grad, offset);
    for (let l = m.depth - 1; l >= 0; l--) {
      const nIn = shape[l];
      const nOut = shape[l + 1];
      const dz = this.dz[l];
      // gW (out × in) = dzᵀ (out × B) · a (B × in); gb = Σ_rows dz
      k.gemm(1, 0, nOut, nIn, B, dz.ptr, nOut, this.pass.inputOf(l).ptr, nIn, g(m.layout.weight[l]), nIn, 0);
      k.colSum(g(m.layout.bias[l]), dz.ptr, B, nOut, false);
      if (l === 0 && !m.spec.embed) continue;
      // da (B × in) = dz (B × out) · W (out × in)
      k.gemm(0, 0, B, nIn, nOut, dz.ptr, nOut, m.weightPtr(l), nIn, this.da.ptr, nIn, 0);
      if (l > 0) k.siluBackward(this.dz[l - 1].ptr, this.da.ptr, this.pass.z[l - 1].ptr, B * nIn);
    }
    if (m.spec.embed) {
      const { tokens, dim } = m.spec.embed;
      const gE = g(m.layout.embedding);
      this.engine.f32(this.grad).fill(0, m.layout.embedding, m.layout.embedding + tokens * dim);
      k.embedScatterAdd(gE, this.da.ptr, this.pass.tokenRows(), B, m.spec.inFold, dim);
    }
  }
}

/** Trains a model from scratch (or continues `model`) and reports metrics, curves and timing. */
export function train(engine: Engine, data: Dataset, opts: TrainOptions, model?: Mlp): TrainResult {
  const run = trainingRun(engine, data, opts, model);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * train(), handing the event loop a turn every ~50 ms so a signal (Ctrl-C) or a UI can act mid-run.
 * The steps, and so the bits, are the same as train()'s.
 */
export async function trainAsync(engine: Engine, data: Dataset, opts: TrainOptions, model?: Mlp): Promise<TrainResult> {
  const run = trainingRun(engine, data, opts, model);
  let turn = now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (now() - turn > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      turn = now();
    }
  }
}

/** What the loop yields after each step: where it is, and the model being trained (live, not a copy). The
 * same object each time, refilled. */
export interface StepInfo extends Progress {
  model: Mlp;
}

/**
 * The training loop, pausing (yield) after every step, before the next checks the signal: train() and
 * trainAsync() drive it, and so does the app layer's runTraining (which decides when to report and
 * when to hand the event loop a turn).
 */
export function* trainingRun(engine: Engine, data: Dataset, opts: TrainOptions, model?: Mlp):
  Generator<StepInfo, TrainResult> {
  const s = opts.settings;
  const steps = s.steps;
  const trainer = new Trainer(engine, data, opts, model);
  const recordEvery = Math.max(1, opts.recordEvery ?? Math.floor(steps / 200));
  const evalEvery = Math.max(1, opts.evalEvery ?? Math.floor(steps / 20));
  const progressEvery = Math.max(1, opts.progressEvery ?? Math.floor(steps / 100));
  const curves: Curves = { step: [], loss: [], cost: [], lambda: [], testStep: [], test: [] };
  let swaps = 0;
  let done = 0;
  let aborted = false;
  let lastTest: number | undefined;
  const info: StepInfo = { step: 0, steps, loss: NaN, cost: NaN, lambda: 0, swaps: 0, model: trainer.model };
  const t0 = now();
  try {
    for (let step = 0; step < steps; step++) {
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
      const r = trainer.step(step);
      swaps += r.swaps;
      done = step + 1;
      if (!Number.isFinite(r.loss)) throw new TrainingDiverged(step, r.loss);
      if (step % recordEvery === 0 || done === steps) {
        curves.step.push(step);
        curves.loss.push(r.loss);
        curves.cost.push(r.cost);
        curves.lambda.push(trainer.lambda(step));
      }
      if (data.test.n > 0 && (done % evalEvery === 0 || done === steps)) {
        lastTest = evaluate(trainer.model, data.test, data).value;
        curves.testStep.push(done);
        curves.test.push(lastTest);
      }
      if (opts.onProgress && (done % progressEvery === 0 || done === steps)) {
        opts.onProgress({ step: done, steps, loss: r.loss, cost: r.cost, lambda: trainer.lambda(step), swaps, test: lastTest });
      }
      // One object, refilled each step (no per-step allocation): read it before resuming the loop.
      info.step = done;
      info.loss = r.loss;
      info.cost = r.cost;
      info.lambda = trainer.lambda(step);
      info.swaps = swaps;
      info.test = lastTest;
      yield info;
    }
  } catch (err) {
    trainer.dispose(model !== undefined);
    throw err;
  }
  const wallMs = now() - t0;
  const metrics = trainer.finish(done);
  const peakWasmBytes = engine.memoryStats.linearMemory;
  return {
    model: trainer.model,
    metrics,
    curves,
    steps: done,
    aborted,
    swaps,
    wallMs,
    stepsPerSecond: done / (wallMs / 1000),
    peakWasmBytes,
  };
}

function checkCompatible(data: Dataset, s: TrainSettings): void {
  const shape = s.model.shape;
  const dIn = s.model.embed ? s.model.inFold : shape[0];
  if (data.inputDim !== dIn) {
    throw new Error(`data has ${data.inputDim} inputs per example but the model expects ${dIn} (shape ${shape.join(",")})`);
  }
  if (data.outputDim !== shape[shape.length - 1]) {
    throw new Error(`data has ${data.outputDim} outputs but the model has ${shape[shape.length - 1]}`);
  }
  if ((s.loss === "mse") !== (data.kind === "regression")) {
    throw new Error(`loss "${s.loss}" does not fit a ${data.kind} dataset`);
  }
  if (data.train.n < 1) throw new Error("the training split is empty");
}

function identityOrder(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function now(): number {
  return performance.now();
}
