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
import { measure, measureInterleaved, type Measure, type Suite, type Tf } from "../harness.ts";

interface TrainCase {
  task: string;
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

export const trainSuite: Suite = {
  name: "train",
  async run(ctx) {
    const tf = await ctx.tf();
    const { engine } = ctx;
    for (const c of CASES) {
      const task = getTask(c.task);
      const data = await task.make(engine, 0);
      const s = task.settings;
      const trainer = new Trainer(engine, data, { mode: "bimt", seed: 0, settings: s });
      // Time whole swap periods so relocates are included at their real frequency.
      let step = 5000; // λ is on from here in every task's schedule
      const period = () => {
        for (let i = 0; i < s.swapEvery; i++) trainer.step(step++);
      };
      const batch = trainer.batchSize;
      const tfStep = tfjsStep(tf, s, data, batch);
      const jsStep = plainStep(s, data, batch);
      const ours = measure(period, { minMs: c.task === "mnist" ? 3000 : 1000, minSamples: 3 });
      const oursPerStep = perSecond({ ms: ours.ms / s.swapEvery, samples: ours.samples });
      const base = measureInterleaved({ tfjs: tfStep.run }, { minMs: c.task === "mnist" ? 2000 : 700 }).tfjs;
      const js = measure(jsStep, { minMs: 500, minSamples: 3, warmupMs: 0, sampleMs: 0 });
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
      if (c.task === "mnist") {
        // One relocate of the MNIST MLP (hidden and output layers, top_k 30) against its 5 ms budget.
        ctx.add({
          suite: "train",
          case: "relocate (swap scoring) mnist [784,100,100,10]",
          ours: measure(() => trainer.relocateNow(), { minMs: 500 }),
          baselines: { budget: budget(5) },
          targets: [{ baseline: "budget", ratio: 1 }],
        });
        const mib = engine.memoryStats.linearMemory / 2 ** 20;
        console.log(`  mnist training: WASM linear memory ${mib.toFixed(1)} MiB (budget 64 MiB)`);
      }
      trainer.dispose(false);
    }
  },
};

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
  const run = () => {
    const loss = opt.minimize(() => {
      let h = x;
      for (let l = 0; l < W.length; l++) {
        h = tf.add(tf.matMul(h, W[l]), b[l]);
        if (l + 1 < W.length) h = tf.mul(h, tf.sigmoid(h));
      }
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

/** The same step in plain JS on Float32Arrays with the reference kernels (what a no-WASM build would do). */
function plainStep(s: TrainSettings, data: Dataset, batch: number): () => void {
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
  const lambda = s.lambda[s.lambda.length - 1].value;
  let t = 0;
  return () => {
    for (let l = 0; l < L; l++) {
      const input = l === 0 ? x : a[l - 1];
      gemmRef(0, 1, batch, shape[l + 1], shape[l], input, shape[l], W[l], shape[l], z[l], shape[l + 1], 0);
      addBiasRef(z[l], bias[l], batch, shape[l + 1]);
      if (l + 1 < L) siluForwardRef(z[l], a[l], batch * shape[l + 1]);
    }
    const out = z[L - 1];
    if (s.loss === "ce") softmaxCrossEntropyRef(out, labels, dz[L - 1], batch, shape[L], 1);
    else if (s.loss === "mse-onehot") mseOneHotLossRef(out, labels, dz[L - 1], batch, shape[L], 1);
    else mseLossRef(out, targets, dz[L - 1], batch * shape[L], 1);
    for (let l = L - 1; l >= 0; l--) {
      const input = l === 0 ? x : a[l - 1];
      gemmRef(1, 0, shape[l + 1], shape[l], batch, dz[l], shape[l + 1], input, shape[l], gW[l], shape[l], 0);
      colSumRef(gb[l], dz[l], batch, shape[l + 1], false);
      if (l === 0) continue;
      gemmRef(0, 0, batch, shape[l], shape[l + 1], dz[l], shape[l + 1], W[l], shape[l], da, shape[l], 0);
      siluBackwardRef(dz[l - 1], da, z[l - 1], batch * shape[l]);
    }
    t++;
    for (let l = 0; l < L; l++) {
      const scale = s.costForm === "mean" ? 1 / W[l].length : 1;
      l1CostRef(W[l], coef[l], gW[l], W[l].length, lambda * scale);
      adamRef(W[l], gW[l], mW[l], vW[l], W[l].length, s.lr, 0.9, 0.999, 1e-8, t);
    }
  };
}
