// The training loop for transformers on sequence tasks: masked task loss + λ(step)·connection cost
// (transformer-cost.ts), AdamW, and relocates every swapEvery steps (transformer-swap.ts), with the MLP trainer's shape (src/train/trainer.ts): a
// step makes kernel calls and no allocations (batches are gathered in WASM from the uploaded data
// through a seeded per-epoch order).
import type { Buf, Engine } from "../engine/engine.ts";
import { Rng } from "../engine/random.ts";
import { Transformer } from "../model/transformer.ts";
import { TransformerPass } from "../model/transformer-pass.ts";
import { checkTransformerSpec } from "../model/transformer-spec.ts";
import type { SeqDataset, SeqTrainSettings } from "../tasks/sequence-types.ts";
import { modeParts, type Mode, type ModeParts } from "./modes.ts";
import { lambdaAt } from "./schedule.ts";
import type { Curves, Progress } from "./trainer.ts";
import { createTransformerCost, transformerWireLength, type TransformerCost } from "./transformer-cost.ts";
import { freeUpload, SeqEvaluator, uploadSplit, type SeqUpload } from "./transformer-evaluate.ts";
import { createTransformerSwapper, type TransformerSwapper } from "./transformer-swap.ts";

/** AdamW's betas and eps (PyTorch's defaults, as the BIMT reference). */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export interface SeqTrainOptions {
  mode: Mode;
  seed: number;
  settings: SeqTrainSettings;
  /** Permute AdamW's moments along with a swap (default false, as the reference). */
  permuteAdamState?: boolean;
  /** Curve points every this many steps (default steps / 200). */
  recordEvery?: number;
  /** Test metric every this many steps (default steps / 20). */
  evalEvery?: number;
  onProgress?: (p: Progress) => void;
  /** Progress period in steps (default steps / 100). */
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface SeqMetrics {
  /** Accuracy (classification) or MSE (regression) on the held-out split's counted positions. */
  test: number;
  train: number;
  metric: "accuracy" | "mse";
  /** Connection cost at the end (the mode's A; l0 for every map). */
  cost: number;
  /** Mean wire length Σ|w|·dist / Σ|w| over the maps with coordinates. */
  wireLength: number;
}

export interface SeqTrainResult {
  model: Transformer;
  metrics: SeqMetrics;
  curves: Curves;
  steps: number;
  aborted: boolean;
  swaps: number;
  wallMs: number;
  stepsPerSecond: number;
  /** Positions through forward and backward per second (batch · ctx · steps / s). */
  tokensPerSecond: number;
  /** WASM linear memory at the end (it only grows), and the most bytes ever allocated at once. */
  peakWasmBytes: number;
  peakInUseBytes: number;
}

export class SeqTrainer {
  readonly model: Transformer;
  readonly parts: ModeParts;
  readonly batch: number;
  private readonly pass: TransformerPass;
  private readonly cost: TransformerCost;
  private readonly swapper: TransformerSwapper | null;
  private readonly grad: Buf;
  private readonly m1: Buf;
  private readonly m2: Buf;
  private readonly train: SeqUpload;
  private readonly order: Buf<"i32">;
  private readonly labels: Buf<"i32"> | null;
  private readonly targets: Buf | null;
  private readonly mask: Buf<"i32"> | null;
  private readonly batchRng: Rng;
  private cursor: number;
  private adamStep = 0;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly data: SeqDataset,
    readonly opts: SeqTrainOptions,
    model?: Transformer,
  ) {
    const s = opts.settings;
    checkSeqCompatible(data, s);
    this.parts = modeParts(opts.mode, s);
    const root = new Rng(opts.seed);
    const initRng = root.fork();
    this.batchRng = root.fork();
    this.model = model ?? Transformer.init(engine, s.model, initRng);
    this.batch = Math.min(s.batch, data.train.n);
    const ctx = data.ctx;
    const rows = this.batch * ctx;
    this.pass = new TransformerPass(this.model, this.batch);
    this.train = uploadSplit(engine, data, data.train);
    const total = this.model.layout.total;
    this.grad = engine.alloc(total);
    this.m1 = engine.alloc(total);
    this.m2 = engine.alloc(total);
    this.order = engine.alloc(data.train.n, "i32");
    const ce = data.kind === "classification";
    this.labels = ce ? engine.alloc(rows, "i32") : null;
    this.targets = ce ? null : engine.alloc(rows * data.outDim);
    this.mask = ce ? null : engine.alloc(rows, "i32");
    this.cost = createTransformerCost(engine, this.model, s, this.parts);
    this.swapper = this.parts.swaps ? createTransformerSwapper(engine, this.model, s, this.parts) : null;
    this.cursor = data.train.n; // the first batch starts an epoch
  }

  /** λ at a step, 0 when the mode does not penalise. */
  lambda(step: number): number {
    return this.parts.penalise ? lambdaAt(this.opts.settings.lambda, step) : 0;
  }

  /**
   * Loads the next batch, runs forward and backward, and leaves ∂(loss + λ·cost)/∂θ in the gradient
   * buffer. Returns the task loss and the (unweighted) cost.
   */
  computeGradients(step: number, lambda = this.lambda(step)): { loss: number; cost: number } {
    this.loadBatch();
    const loss = this.lossAndOutputGrad();
    this.pass.backward(this.grad);
    const cost = this.cost.add(this.grad, lambda);
    return { loss, cost };
  }

  /** One optimiser step (and a relocate when due). */
  step(step: number): { loss: number; cost: number; swaps: number } {
    const s = this.opts.settings;
    const { loss, cost } = this.computeGradients(step);
    this.adamStep++;
    this.engine.k.adamw(this.model.params.ptr, this.grad.ptr, this.m1.ptr, this.m2.ptr, this.model.layout.total,
      s.lr, BETA1, BETA2, EPS, s.weightDecay, this.adamStep);
    let swaps = 0;
    if (this.swapper && (step + 1) % s.swapEvery === 0) {
      swaps = this.swapper.relocate(this.opts.permuteAdamState ? { m: this.m1, v: this.m2 } : undefined);
    }
    return { loss, cost, swaps };
  }

  /** The gradient buffer (a copy), laid out like the parameters. */
  readGradient(): Float32Array {
    return this.engine.read(this.grad);
  }

  /** Ends training: measures the model on both splits, frees the training buffers. */
  finish(): SeqMetrics {
    const cost = this.cost.value();
    const trainUpload = this.train;
    const ev = new SeqEvaluator(this.model, this.data, Math.max(this.data.train.n, this.data.test.n));
    const testUpload = this.data.test.n > 0 ? uploadSplit(this.engine, this.data, this.data.test) : null;
    try {
      return {
        test: testUpload ? ev.evaluate(testUpload) : NaN,
        train: ev.evaluate(trainUpload),
        metric: ev.metric,
        cost,
        wireLength: transformerWireLength(this.model),
      };
    } finally {
      ev.dispose();
      if (testUpload) freeUpload(this.engine, testUpload);
      this.dispose();
    }
  }

  dispose(keepModel = true): void {
    if (!this.disposed) {
      this.disposed = true;
      const e = this.engine;
      this.pass.dispose();
      this.cost.dispose();
      this.swapper?.dispose();
      freeUpload(e, this.train);
      e.free(this.grad, this.m1, this.m2, this.order, this.labels ?? undefined, this.targets ?? undefined, this.mask ?? undefined);
    }
    if (!keepModel) this.model.dispose();
  }

  // Gathers the next batch of sequences (a fresh seeded order each epoch) into the pass.
  private loadBatch(): void {
    const { k } = this.engine;
    const n = this.data.train.n;
    if (this.cursor + this.batch > n) {
      this.engine.i32(this.order).set(this.batch < n ? this.batchRng.permutation(n) : identity(n));
      this.cursor = 0;
    }
    const idx = this.order.ptr + 4 * this.cursor;
    this.cursor += this.batch;
    const ctx = this.data.ctx;
    const B = this.batch;
    const u = this.train;
    if (this.pass.tokens) k.gatherRows(this.pass.tokens.ptr, u.x.ptr, idx, B, ctx);
    else k.gatherRows(this.pass.inputs!.ptr, u.x.ptr, idx, B, ctx * this.data.inDim!);
    if (this.labels) k.gatherRows(this.labels.ptr, u.labels!.ptr, idx, B, ctx);
    else {
      k.gatherRows(this.targets!.ptr, u.targets!.ptr, idx, B, ctx * this.data.outDim);
      k.gatherRows(this.mask!.ptr, u.mask!.ptr, idx, B, ctx);
    }
  }

  // The batch's masked task loss; ∂loss/∂logits goes into the pass's dlogits.
  private lossAndOutputGrad(): number {
    const { k } = this.engine;
    const logits = this.pass.forward();
    const rows = this.batch * this.data.ctx;
    const V = this.data.outDim;
    if (this.labels) return k.maskedCrossEntropy(logits.ptr, this.labels.ptr, this.pass.dlogits.ptr, rows, V, 1);
    return k.maskedMse(logits.ptr, this.targets!.ptr, this.mask!.ptr, this.pass.dlogits.ptr, rows, V, this.data.lossOutputs ?? V, 1);
  }
}

/** Trains a transformer from scratch (or continues `model`) and reports metrics, curves and timing. */
export function trainSeq(engine: Engine, data: SeqDataset, opts: SeqTrainOptions, model?: Transformer): SeqTrainResult {
  const run = seqTrainingRun(engine, data, opts, model);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/** trainSeq, handing the event loop a turn every ~50 ms (a signal or a UI can act mid-run); same bits. */
export async function trainSeqAsync(engine: Engine, data: SeqDataset, opts: SeqTrainOptions, model?: Transformer): Promise<SeqTrainResult> {
  const run = seqTrainingRun(engine, data, opts, model);
  let turn = performance.now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (performance.now() - turn > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      turn = performance.now();
    }
  }
}

function* seqTrainingRun(engine: Engine, data: SeqDataset, opts: SeqTrainOptions, model?: Transformer): Generator<void, SeqTrainResult> {
  const steps = opts.settings.steps;
  const trainer = new SeqTrainer(engine, data, opts, model);
  const recordEvery = Math.max(1, opts.recordEvery ?? Math.floor(steps / 200));
  const evalEvery = Math.max(1, opts.evalEvery ?? Math.floor(steps / 20));
  const progressEvery = Math.max(1, opts.progressEvery ?? Math.floor(steps / 100));
  const curves: Curves = { step: [], loss: [], cost: [], lambda: [], testStep: [], test: [] };
  let swaps = 0;
  let done = 0;
  let aborted = false;
  let lastTest: number | undefined;
  let testUpload: SeqUpload | null = null;
  let evaluator: SeqEvaluator | null = null;
  const t0 = performance.now();
  let evalMs = 0;
  try {
    if (data.test.n > 0) {
      testUpload = uploadSplit(engine, data, data.test);
      evaluator = new SeqEvaluator(trainer.model, data, data.test.n);
    }
    for (let step = 0; step < steps; step++) {
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
      const r = trainer.step(step);
      swaps += r.swaps;
      done = step + 1;
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${step}: loss ${r.loss}`);
      if (step % recordEvery === 0 || done === steps) {
        curves.step.push(step);
        curves.loss.push(r.loss);
        curves.cost.push(r.cost);
        curves.lambda.push(trainer.lambda(step));
      }
      if (evaluator && testUpload && (done % evalEvery === 0 || done === steps)) {
        const e0 = performance.now();
        lastTest = evaluator.evaluate(testUpload);
        evalMs += performance.now() - e0;
        curves.testStep.push(done);
        curves.test.push(lastTest);
      }
      if (opts.onProgress && (done % progressEvery === 0 || done === steps)) {
        opts.onProgress({ step: done, steps, loss: r.loss, cost: r.cost, lambda: trainer.lambda(step), swaps, test: lastTest });
      }
      yield;
    }
  } catch (err) {
    trainer.dispose(model !== undefined);
    throw err;
  } finally {
    evaluator?.dispose();
    if (testUpload) freeUpload(engine, testUpload);
  }
  const wallMs = performance.now() - t0;
  const trainMs = Math.max(1e-9, wallMs - evalMs); // rates count training steps only, not the periodic tests
  const peakInUseBytes = engine.memoryStats.peak;
  const metrics = trainer.finish();
  return {
    model: trainer.model,
    metrics,
    curves,
    steps: done,
    aborted,
    swaps,
    wallMs,
    stepsPerSecond: done / (trainMs / 1000),
    tokensPerSecond: (done * trainer.batch * data.ctx) / (trainMs / 1000),
    peakWasmBytes: engine.memoryStats.linearMemory,
    peakInUseBytes,
  };
}

/** Throws naming the field when a dataset does not fit the settings' model. */
export function checkSeqCompatible(data: SeqDataset, s: SeqTrainSettings): void {
  const m = s.model;
  checkTransformerSpec(m);
  if (data.ctx !== m.ctx) throw new Error(`data has ctx ${data.ctx} but the model's ctx is ${m.ctx}`);
  if (m.vocab !== undefined) {
    if (data.vocab === undefined) throw new Error("the model reads tokens (vocab) but the data holds vectors (inDim)");
    if (data.vocab > m.vocab) throw new Error(`data has vocab ${data.vocab} but the model's vocab is ${m.vocab}`);
  } else if (data.inDim !== m.inDim) {
    throw new Error(`data has inDim ${String(data.inDim)} but the model's inDim is ${m.inDim}`);
  }
  if (data.outDim !== m.outDim) throw new Error(`data has outDim ${data.outDim} but the model's outDim is ${m.outDim}`);
  if ((s.loss === "mse") !== (data.kind === "regression")) throw new Error(`loss "${s.loss}" does not fit a ${data.kind} dataset`);
  if (data.train.n < 1) throw new Error("the training split is empty");
  for (const [name, v, min] of [["steps", s.steps, 0], ["batch", s.batch, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number ≥ ${min}, got ${v}`);
  }
  if (!(s.lr > 0)) throw new Error(`lr must be a positive number, got ${s.lr}`);
  if (!(s.weightDecay >= 0)) throw new Error(`weightDecay must be a number ≥ 0, got ${s.weightDecay}`);
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
