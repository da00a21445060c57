// BIMT training steps: brainwire's Trainer (forward, backward, wire-cost gradient, Adam, relocates every
// swapEvery steps) against the same step written with tfjs-wasm ops and in plain JS (the reference
// kernels), measured side by side, plus the PyTorch anchors of docs/benchmarks.md (constants, labelled).
// tfjs and plain JS run the step without relocates (a relocate is < 1% of brainwire's time here).
import { Rng } from "../../src/engine/random.ts";
import { gemmRef } from "../../src/engine/reference/gemm.ts";
import { addBiasRef, colSumRef, siluBackwardRef, siluForwardRef } from "../../src/engine/reference/nn.ts";
import { mseOneHotLossRef, softmaxCrossEntropyRef, mseLossRef } from "../../src/engine/reference/loss.ts";
import { adamRef } from "../../src/engine/reference/adam.ts";
import { l1CostRef } from "../../src/engine/reference/cost.ts";
import { distanceMatrix } from "../../src/model/coords.ts";
import { getTask } from "../../src/tasks/index.ts";
import type { Dataset, TrainSettings } from "../../src/tasks/types.ts";
import { Trainer } from "../../src/train/trainer.ts";
import type { Engine } from "../../src/engine/engine.ts";
import type { ParamLayout } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { checkClose, measure, type Measure, type Suite, type Tf } from "../harness.ts";

interface TrainCase {
  task: string;
  /** Layer sizes other than the task's reference ones. */
  shape?: number[];
  /** PyTorch (CPU, one thread) BIMT steps/s from docs/benchmarks.md. */
  pytorchStepsPerSecond: number;
  /** Speedup targets: vs the tfjs step, vs the PyTorch anchor. */
  targets: { tfjs: number; pytorch: number };
}

const CASES: TrainCase[] = [
  { task: "two-moons", pytorchStepsPerSecond: 360, targets: { tfjs: 5, pytorch: 10 } },
  { task: "symbolic-independence", pytorchStepsPerSecond: 500, targets: { tfjs: 5, pytorch: 10 } },
  { task: "mnist", pytorchStepsPerSecond: 36, targets: { tfjs: 5, pytorch: 4 } },
];

const anchor = (stepsPerSecond: number): Measure => ({ ms: 1000 / stepsPerSecond, samples: 0, rate: "anchor (docs/benchmarks.md)" });
const perSecond = (m: Measure): Measure => ({ ...m, rate: `${(1000 / m.ms).toFixed(0)} steps/s` });

// Smoke: two-moons on a tiny net, with its own (meaningless) anchor ratio; the case says so.
const SMOKE: TrainCase = { task: "two-moons", shape: [2, 5, 3, 2], pytorchStepsPerSecond: 360, targets: { tfjs: 5, pytorch: 10 } };

export const trainSuite: Suite = {
  name: "train",
  async run(ctx) {
    const tf = await ctx.tf();
    const { engine } = ctx;
    const cases = ctx.choose({ full: CASES, quick: [CASES[0], CASES[2]], smoke: [SMOKE] });
    for (const c of cases) {
      const task = getTask(c.task);
      const data = await task.make(engine, 0);
      const s = c.shape ? withOverrides(task.settings, { shape: c.shape }) : task.settings;
      const trainer = new Trainer(engine, data, { mode: "bimt", seed: 0, settings: s });
      let step = 5000; // λ is on from here in every task's schedule
      const batch = trainer.batchSize;
      const first = firstRows(data, batch);
      const ref = plainStep(s, first, batch);
      const tfStep = tfjsStep(tf, s, first, batch);
      validateStep(ctx.engine, s, first, step, ref, tfStep, c.task);

      // Time whole swap periods so relocates are included at their real frequency.
      const period = () => {
        for (let i = 0; i < s.swapEvery; i++) trainer.step(step++);
      };
      const mnist = c.task === "mnist";
      const ours = measure(period, { minMs: mnist ? 3000 : 1000, minSamples: 3 });
      const oursPerStep = perSecond(perCall(ours, s.swapEvery));
      const base = measure(tfStep.run, { minMs: mnist ? 2000 : 700 });
      const js = measure(ref.run, { minMs: 500, minSamples: 3, warmupMs: 0, sampleMs: 0 });
      tfStep.dispose();
      ctx.add({
        suite: "train",
        case: `bimt step ${c.task} [${s.model.shape.join(",")}] batch ${batch}`,
        ours: oursPerStep,
        baselines: { "tfjs-wasm": perSecond(base), "plain JS": perSecond(js), "pytorch": anchor(c.pytorchStepsPerSecond) },
        targets: [
          { baseline: "tfjs-wasm", ratio: c.targets.tfjs },
          { baseline: "pytorch", ratio: c.targets.pytorch },
        ],
      });
      if (mnist) {
        // One relocate of the MNIST MLP (hidden and output layers, top_k 30) against its 5 ms budget; a
        // relocate keeps the network's function (swaps permute neurons), checked before timing.
        const probe = firstRows(data, 8);
        const before = forwardOf(trainer, probe);
        trainer.relocateNow();
        checkClose(forwardOf(trainer, probe), before, 1e-5, 1e-4, "relocate keeps the network's outputs");
        ctx.add({
          suite: "train",
          case: "relocate (swap scoring) mnist [784,100,100,10]",
          ours: measure(() => trainer.relocateNow(), { minMs: 500 }),
          baselines: { budget: budget(5) },
          targets: [{ baseline: "budget", ratio: 1 }],
        });
        const mib = engine.memoryStats.linearMemory / 2 ** 20;
        ctx.note(`mnist training: WASM linear memory ${mib.toFixed(1)} MiB (budget 64 MiB)`);
      }
      trainer.dispose(false);
    }
  },
};

/** Per-step figures from a measure of `steps` steps per call. */
function perCall(m: Measure, steps: number): Measure {
  return { ...m, ms: m.ms / steps, raw: m.raw?.map((t) => t / steps), reps: (m.reps ?? 1) * steps };
}

/** The first `n` training examples as a dataset of their own (a trainer on it takes them as one batch). */
function firstRows(data: Dataset, n: number): Dataset {
  const dx = data.train.x.length / data.train.n;
  const dy = data.train.y.length / data.train.n;
  const train = { n, x: data.train.x.slice(0, n * dx), y: data.train.y.slice(0, n * dy) };
  return { ...data, train, test: train };
}

/** The model's outputs (in class order) on a dataset's training inputs. */
function forwardOf(trainer: Trainer, data: Dataset): Float32Array {
  return predict(trainer.model, data.train.x, data.inputDim);
}

/**
 * Before timing: brainwire's step computes the reference gradient (plain loops, f64 sums) on the batch the
 * baselines use, from the weights of a trainer with the timed one's seed and settings; tfjs-wasm's network
 * computes the reference outputs from the same weights.
 */
function validateStep(engine: Engine, s: TrainSettings, first: Dataset, step: number,
  ref: ReturnType<typeof plainStep>, tfStep: ReturnType<typeof tfjsStep>, task: string) {
  const check = new Trainer(engine, first, { mode: "bimt", seed: 0, settings: s });
  try {
    const weights = engine.read(check.model.params);
    const lambda = check.lambda(step);
    const { loss } = check.computeGradients(step);
    const got = check.readGradient();
    ref.setWeights(weights, check.model.layout);
    const want = ref.gradient(lambda, check.model.layout);
    const scale = want.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    checkClose(got, want.grad, 1e-4 * scale, 1e-3, `train ${task}: brainwire's gradient vs reference`);
    checkClose([loss], [want.loss], 1e-6, 1e-4, `train ${task}: brainwire's loss vs reference`);
    tfStep.setWeights(weights, check.model.layout);
    const outScale = want.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    checkClose(tfStep.logits(), want.logits, 1e-5 * outScale, 1e-4, `train ${task}: tfjs-wasm's outputs vs reference`);
  } finally {
    check.dispose(false);
  }
}

/** A spec budget shown as a baseline: ratio ≥ 1 means within budget. */
export const budget = (ms: number): Measure => ({ ms, samples: 0, rate: "spec budget" });

/** The same BIMT step with tfjs ops: autodiff through the task loss and λ·Σ|W|·(A·dist + l0), Adam. */
function tfjsStep(tf: Tf, s: TrainSettings, data: Dataset, batch: number) {
  const shape = s.model.shape;
  const rng = new Rng(1);
  const W = shape.slice(1).map((n, l) =>
    tf.variable(tf.tensor2d(Float32Array.from({ length: shape[l] * n }, () => rng.range(-0.1, 0.1)), [shape[l], n])));
  const b = shape.slice(1).map((n) => tf.variable(tf.zeros([n])));
  // Coefficients transposed to tfjs's (in × out) weight layout.
  const D = shape.slice(1).map((n, l) => {
    const d = distanceMatrix(s.model, l);
    const t = new Float32Array(d.length);
    const A = s.lastLayerNoDistance && l === shape.length - 2 ? 0 : s.weightFactor;
    for (let o = 0; o < n; o++) for (let i = 0; i < shape[l]; i++) t[i * n + o] = A * d[o * shape[l] + i] + s.l0;
    return tf.tensor2d(t, [shape[l], n]);
  });
  const x = inputsOf(tf, s, data, batch);
  const classes = shape[shape.length - 1];
  const y = data.kind === "classification"
    ? tf.cast(tf.oneHot(tf.tensor1d(data.train.y.slice(0, batch) as Int32Array, "int32"), classes), "float32")
    : tf.tensor2d(data.train.y.slice(0, batch * classes) as Float32Array, [batch, classes]);
  const opt = tf.train.adam(s.lr, 0.9, 0.999, 1e-8);
  const lambda = s.lambda[s.lambda.length - 1].value;
  const mean = s.costForm === "mean";
  const forward = () => {
    let h = x;
    for (let l = 0; l < W.length; l++) {
      h = tf.add(tf.matMul(h, W[l]), b[l]);
      if (l + 1 < W.length) h = tf.mul(h, tf.sigmoid(h));
    }
    return h;
  };
  const run = () => {
    const loss = opt.minimize(() => {
      const h = forward();
      const task = s.loss === "ce" ? tf.losses.softmaxCrossEntropy(y, h) : tf.losses.meanSquaredError(y, h);
      let cost = tf.scalar(0);
      for (let l = 0; l < W.length; l++) {
        const term = tf.mul(tf.abs(W[l]), D[l]);
        cost = tf.add(cost, mean ? tf.mean(term) : tf.sum(term));
      }
      return tf.add(task, tf.mul(cost, lambda)) as import("@tensorflow/tfjs-core").Scalar;
    }, true)!;
    loss.dataSync();
    loss.dispose();
  };
  return {
    run,
    /** Loads parameters laid out as the MLP's (weights out × in, then biases), transposing to tfjs's in × out. */
    setWeights(params: Float32Array, layout: ParamLayout) {
      for (let l = 0; l < W.length; l++) {
        const [nIn, nOut] = [shape[l], shape[l + 1]];
        const t = new Float32Array(nIn * nOut);
        for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) t[i * nOut + o] = params[layout.weight[l] + o * nIn + i];
        tf.tidy(() => {
          W[l].assign(tf.tensor2d(t, [nIn, nOut]));
          b[l].assign(tf.tensor1d(params.slice(layout.bias[l], layout.bias[l] + nOut)));
        });
      }
    },
    /** The network's outputs on the batch (B × out). */
    logits: () => tf.tidy(() => forward().dataSync() as Float32Array),
    dispose: () => {
      tf.dispose([...W, ...b, ...D, x, y]);
      opt.dispose();
    },
  };
}

function inputsOf(tf: Tf, s: TrainSettings, data: Dataset, batch: number) {
  const d0 = s.model.shape[0];
  return tf.tensor2d((data.train.x as Float32Array).slice(0, batch * d0), [batch, d0]);
}

/**
 * The same step in plain JS on Float32Arrays with the reference kernels (what a no-WASM build would do):
 * `run` is the timed step (forward, backward, cost gradient, Adam); `gradient` the validation's reference.
 */
function plainStep(s: TrainSettings, data: Dataset, batch: number) {
  const shape = s.model.shape;
  const L = shape.length - 1;
  const rng = new Rng(2);
  const W = shape.slice(1).map((n, l) => Float32Array.from({ length: shape[l] * n }, () => rng.range(-0.1, 0.1)));
  const bias = shape.slice(1).map((n) => new Float32Array(n));
  const gW = W.map((w) => new Float32Array(w.length));
  const gb = bias.map((v) => new Float32Array(v.length));
  const mW = W.map((w) => new Float32Array(w.length));
  const vW = W.map((w) => new Float32Array(w.length));
  const coef = shape.slice(1).map((_, l) => {
    const d = distanceMatrix(s.model, l);
    const A = s.lastLayerNoDistance && l === L - 1 ? 0 : s.weightFactor;
    return d.map((v) => A * v + s.l0);
  });
  const x = (data.train.x as Float32Array).slice(0, batch * shape[0]);
  const z = shape.slice(1).map((n) => new Float32Array(batch * n));
  const a = shape.slice(1).map((n) => new Float32Array(batch * n));
  const dz = shape.slice(1).map((n) => new Float32Array(batch * n));
  const da = new Float32Array(batch * Math.max(...shape));
  const labels = data.kind === "classification" ? (data.train.y as Int32Array).slice(0, batch) : new Int32Array(0);
  const targets = data.kind === "regression" ? (data.train.y as Float32Array).slice(0, batch * shape[L]) : new Float32Array(0);
  const lastLambda = s.lambda[s.lambda.length - 1].value;
  let t = 0;
  // Forward, loss, backward and the cost gradient: leaves ∂(loss + λ·cost)/∂θ in gW, gb; returns the loss.
  const gradients = (lambda: number) => {
    for (let l = 0; l < L; l++) {
      const input = l === 0 ? x : a[l - 1];
      gemmRef(0, 1, batch, shape[l + 1], shape[l], input, shape[l], W[l], shape[l], z[l], shape[l + 1], 0);
      addBiasRef(z[l], bias[l], batch, shape[l + 1]);
      if (l + 1 < L) siluForwardRef(z[l], a[l], batch * shape[l + 1]);
    }
    const out = z[L - 1];
    const loss = s.loss === "ce" ? softmaxCrossEntropyRef(out, labels, dz[L - 1], batch, shape[L], 1)
      : s.loss === "mse-onehot" ? mseOneHotLossRef(out, labels, dz[L - 1], batch, shape[L], 1)
      : mseLossRef(out, targets, dz[L - 1], batch * shape[L], 1);
    for (let l = L - 1; l >= 0; l--) {
      const input = l === 0 ? x : a[l - 1];
      gemmRef(1, 0, shape[l + 1], shape[l], batch, dz[l], shape[l + 1], input, shape[l], gW[l], shape[l], 0);
      colSumRef(gb[l], dz[l], batch, shape[l + 1], false);
      if (l === 0) continue;
      gemmRef(0, 0, batch, shape[l], shape[l + 1], dz[l], shape[l + 1], W[l], shape[l], da, shape[l], 0);
      siluBackwardRef(dz[l - 1], da, z[l - 1], batch * shape[l]);
    }
    for (let l = 0; l < L; l++) {
      const scale = s.costForm === "mean" ? 1 / W[l].length : 1;
      l1CostRef(W[l], coef[l], gW[l], W[l].length, lambda * scale);
    }
    return loss;
  };
  return {
    run: () => {
      gradients(lastLambda);
      t++;
      for (let l = 0; l < L; l++) adamRef(W[l], gW[l], mW[l], vW[l], W[l].length, s.lr, 0.9, 0.999, 1e-8, t);
    },
    /** Loads parameters laid out as the MLP's (weights out × in, then biases). */
    setWeights(params: Float32Array, layout: ParamLayout) {
      for (let l = 0; l < L; l++) {
        W[l].set(params.subarray(layout.weight[l], layout.weight[l] + W[l].length));
        bias[l].set(params.subarray(layout.bias[l], layout.bias[l] + bias[l].length));
      }
    },
    /** The reference gradient laid out as the MLP's parameters, the loss, and the outputs (B × out). */
    gradient(lambda: number, layout: ParamLayout) {
      const loss = gradients(lambda);
      const grad = new Float32Array(layout.total);
      for (let l = 0; l < L; l++) {
        grad.set(gW[l], layout.weight[l]);
        grad.set(gb[l], layout.bias[l]);
      }
      return { grad, loss, logits: z[L - 1].slice() };
    },
  };
}
