// One training step of the three transformer bench models A, B, C (docs/benchmarks.md: forward,
// backward, AdamW; no connection cost, as the anchors) and C's attention sublayer forward + backward,
// against the same step with tfjs-wasm ops written two ways (bench/suites/transformer-tfjs.ts: as a tfjs
// user writes it, and with explicit transposes in the gradient), plus the PyTorch figures of
// docs/benchmarks.md as labelled constants. Before timing, the two tfjs ways agree with each other and
// brainwire's loss and gradient agree with tfjs's, from the same weights on the same batch.
import { elementPtr, type Buf, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerLayout, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import type { SeqDataset, SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { SeqTrainer } from "../../src/train/transformer-trainer.ts";
import { checkClose, measureInterleaved, type BenchContext, type Measure, type Suite } from "../harness.ts";
import { budget } from "./train.ts";
import { tfjsAttentionSublayer, tfjsTransformerStep, type TfjsBatch, type TfjsWay } from "./transformer-tfjs.ts";

const GPT2 = { kind: "transformer", norm: "layernorm", act: "gelu", positions: true, unembedBias: false } as const;

interface TxCase {
  name: string;
  spec: TransformerSpec;
  batch: number;
  /** PyTorch 1.13 eager, OpenBLAS, one thread: median ms per step (docs/benchmarks.md). */
  pytorchMs: number;
  /** The spec's budget per step, ms. */
  budgetMs: number;
  /** Speedups asked for: vs PyTorch, vs the faster tfjs way. */
  targets: { pytorch: number; tfjs: number };
}

/** A: induction, attention-only, cross-entropy on the second half (39,296 parameters). */
const A: TxCase = {
  name: "A induction",
  spec: { ...GPT2, vocab: 32, outDim: 32, ctx: 24, dModel: 64, nHeads: 4, dHead: 16, nLayers: 2, dMlp: 0 },
  batch: 64, pytorchMs: 21.8, budgetMs: 10, targets: { pytorch: 2, tfjs: 10 },
};
/** B: icl-regression, the BIMT reference model: vectors in, no norms, no positions, MSE (25,314 parameters). */
const B: TxCase = {
  name: "B icl-regression",
  spec: { ...GPT2, inDim: 2, outDim: 2, ctx: 4, dModel: 32, nHeads: 1, dHead: 32, nLayers: 2, dMlp: 128, norm: "none",
    positions: false, unembedBias: true },
  batch: 64, pytorchMs: 5.4, budgetMs: 1, targets: { pytorch: 5, tfjs: 20 },
};
/** C: mid, LayerNorm and GELU MLP, cross-entropy over every position (421,376 parameters). */
const C: TxCase = {
  name: "C mid",
  spec: { ...GPT2, vocab: 64, outDim: 64, ctx: 64, dModel: 128, nHeads: 4, dHead: 32, nLayers: 2, dMlp: 512 },
  batch: 32, pytorchMs: 133, budgetMs: 130, targets: { pytorch: 1, tfjs: 7 },
};
/** C's attention sublayer (one layer, batch 32 × 64 × 128): ≥ 1× PyTorch, ≥ 8× the faster tfjs. */
const C_ATTENTION: TxCase = { ...C, name: "C", pytorchMs: 26.3, budgetMs: 25, targets: { pytorch: 1, tfjs: 8 } };

/** Smoke: a tiny model with every part (LayerNorm, MLP, positions), and its attention; meaningless anchors. */
const SMOKE: TxCase = {
  name: "smoke tiny",
  spec: { ...GPT2, vocab: 7, outDim: 7, ctx: 5, dModel: 8, nHeads: 2, dHead: 4, nLayers: 1, dMlp: 12 },
  batch: 3, pytorchMs: 1, budgetMs: 1, targets: { pytorch: 0, tfjs: 0 },
};

const LR = 1e-3;
const WEIGHT_DECAY = 0.01; // PyTorch AdamW's default

const pytorch = (ms: number): Measure => ({ ms, samples: 0, rate: "anchor: PyTorch, OpenBLAS, 1 thread" });

export const transformerTrainSuite: Suite = {
  name: "transformer-train",
  async run(ctx) {
    const cases = ctx.choose({ full: [A, B, C], quick: [A, B], smoke: [SMOKE] });
    for (const c of cases) await stepCase(ctx, c);
    await attentionCase(ctx, ctx.choose({ full: C_ATTENTION, quick: C_ATTENTION, smoke: SMOKE }));
  },
};

/** A seeded batch for a case: the task's shape of inputs and loss (random tokens or vectors). */
function makeBatch(c: TxCase): { data: SeqDataset; batch: TfjsBatch } {
  const { spec, batch: n } = c;
  const T = spec.ctx;
  const rng = new Rng(7);
  const mask = new Uint8Array(n * T).fill(1);
  if (spec.vocab === undefined) {
    const x = Float32Array.from({ length: n * T * spec.inDim! }, () => rng.range(-1, 1));
    const y = Float32Array.from({ length: n * T * spec.outDim }, () => rng.range(-1, 1));
    const split = { n, x, y, mask };
    return { data: { kind: "regression", ctx: T, inDim: spec.inDim, outDim: spec.outDim, train: split, test: { ...split, n: 0 } },
      batch: { B: n, vectors: x, targets: y } };
  }
  // Token tasks: the next token at every position; A repeats its first half and counts only the second.
  const half = c === A ? T / 2 : 0;
  const seq = new Int32Array(n * (T + 1));
  for (let s = 0; s < n; s++) {
    for (let t = 0; t <= T; t++) seq[s * (T + 1) + t] = half && t >= half ? seq[s * (T + 1) + t - half] : rng.int(spec.vocab);
  }
  const x = new Int32Array(n * T);
  const y = new Int32Array(n * T);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < T; t++) {
      x[s * T + t] = seq[s * (T + 1) + t];
      y[s * T + t] = seq[s * (T + 1) + t + 1];
      if (t < half) mask[s * T + t] = 0;
    }
  }
  const split = { n, x, y, mask };
  const labels = Int32Array.from(y, (v, i) => (mask[i] ? v : -1));
  return { data: { kind: "classification", ctx: T, vocab: spec.vocab, outDim: spec.outDim, train: split, test: { ...split, n: 0 } },
    batch: { B: n, tokens: x, labels } };
}

function settingsOf(c: TxCase): SeqTrainSettings {
  return {
    model: c.spec, loss: c.spec.vocab === undefined ? "mse" : "ce", steps: 1, lr: LR, weightDecay: WEIGHT_DECAY,
    batch: c.batch, lambda: [{ from: 0, value: 0 }], weightFactor: 0, l0: 0, swapEvery: 1 << 30, topK: 0,
  };
}

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** Gradients agree within 1e-3 of the largest entry (f32 sums in different orders), loss within 1e-4. */
function checkGradients(got: { loss?: number; grad: Float32Array }, want: { loss?: number; grad: Float32Array }, label: string) {
  checkClose(got.grad, want.grad, 1e-3 * maxAbs(want.grad), 1e-3, `${label}: gradient`);
  if (got.loss !== undefined && want.loss !== undefined) checkClose([got.loss], [want.loss], 1e-6, 1e-4, `${label}: loss`);
}

/** WASM memory while a case's buffers are live: allocated now, the most ever allocated, the module's whole memory. */
function noteMemory(ctx: BenchContext, what: string) {
  const m = ctx.engine.memoryStats;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  ctx.note(`transformer-train ${what}: WASM in use ${mib(m.inUse)}, peak ${mib(m.peak)}, linear memory ${mib(m.linearMemory)}`);
}

const WAYS: TfjsWay[] = ["transposes", "user"];
const wayName = (w: TfjsWay) => (w === "user" ? "tfjs-wasm (as written)" : "tfjs-wasm (transposes)");

/** The targets: the budget, PyTorch, and the faster of the two tfjs ways. */
function targetsOf(c: TxCase, baselines: Record<string, Measure>) {
  const faster = WAYS.map(wayName).reduce((a, b) => (baselines[a].ms <= baselines[b].ms ? a : b));
  return [
    { baseline: "budget", ratio: 1 },
    { baseline: "pytorch", ratio: c.targets.pytorch },
    { baseline: faster, ratio: c.targets.tfjs },
  ];
}

async function stepCase(ctx: BenchContext, c: TxCase) {
  const tf = await ctx.tf();
  const { data, batch } = makeBatch(c);
  const trainer = new SeqTrainer(ctx.engine, data, { mode: "vanilla", seed: 0, settings: settingsOf(c) });
  const layout = trainer.model.layout;
  const params = trainer.model.readParams();
  const steps = WAYS.map((w) => tfjsTransformerStep(tf, w, c.spec, layout, params, batch, LR));
  try {
    const label = `transformer ${c.name}`;
    const [fair, user] = steps.map((s) => s.gradient());
    checkGradients(user, fair, `${label}: tfjs as written vs with transposes`);
    const ours = trainer.computeGradients(0);
    checkGradients({ loss: ours.loss, grad: trainer.readGradient() }, fair, `${label}: brainwire vs tfjs`);
    let step = 0;
    // The slow ways sample less often: each sample of C as written is seconds long.
    const m = measureInterleaved({
      ours: () => trainer.step(step++),
      transposes: steps[0].run,
      user: steps[1].run,
    }, { minMs: c === C ? 3000 : 1000, minSamples: c === C ? 3 : 5 });
    const baselines: Record<string, Measure> = {
      [wayName("transposes")]: m.transposes, [wayName("user")]: m.user,
      pytorch: pytorch(c.pytorchMs), budget: budget(c.budgetMs),
    };
    ctx.add({
      suite: "transformer-train",
      case: `step ${c.name} (${layout.total.toLocaleString("en")} params, batch ${c.batch})`,
      ours: { ...m.ours, rate: `${Math.round((c.batch * c.spec.ctx * 1000) / m.ours.ms).toLocaleString("en")} tokens/s` },
      baselines,
      targets: targetsOf(c, baselines),
    });
    noteMemory(ctx, `step ${c.name}`);
  } finally {
    for (const s of steps) s.dispose();
    trainer.dispose(false);
  }
}

/** The attention sublayer's tensors of a one-layer model, laid out alone (qkv weight and bias, o weight and bias). */
function attentionLayout(spec: TransformerSpec): TransformerLayout {
  const names = ["0.qkv.weight", "0.qkv.bias", "0.o.weight", "0.o.bias"];
  const all = transformerTensors({ ...spec, nLayers: 1, dMlp: 0 });
  let offset = 0;
  const tensors = names.map((n) => {
    const t = all.byName.get(n)!;
    const slot = { ...t, offset };
    offset += t.size;
    return slot;
  });
  return { tensors, byName: new Map(tensors.map((t) => [t.name, t])), total: offset };
}

/**
 * brainwire's attention sublayer, forward and backward, with the kernels the transformer pass uses:
 * y = attn(x)·Woᵀ + bo from qkv = x·Wqkvᵀ + b; then from dy: the weights' gradient and dx.
 */
function oursAttentionSublayer(engine: Engine, spec: TransformerSpec, layout: TransformerLayout, params: Float32Array,
  x: Float32Array, dy: Float32Array, n: number) {
  const { k } = engine;
  const { ctx: T, nHeads: H, dHead: dh, dModel: d } = spec;
  const rows = n * T;
  const hd = H * dh;
  const P = engine.from(params);
  const G = engine.alloc(layout.total);
  const bufs = {
    x: engine.from(x), dy: engine.from(dy), qkv: engine.alloc(rows * 3 * hd), probs: engine.alloc(n * H * T * T),
    z: engine.alloc(rows * hd), y: engine.alloc(rows * d), dz: engine.alloc(rows * hd), dqkv: engine.alloc(rows * 3 * hd),
    dx: engine.alloc(rows * d), scratch: engine.alloc(T * T),
  };
  const at = (buf: Buf, name: string) => elementPtr(buf, layout.byName.get(name)!.offset);
  const scale = Math.fround(1 / Math.sqrt(dh));
  const b = bufs;
  const run = () => {
    k.gemm(0, 1, rows, 3 * hd, d, b.x.ptr, d, at(P, "0.qkv.weight"), d, b.qkv.ptr, 3 * hd, 0);
    k.addBias(b.qkv.ptr, at(P, "0.qkv.bias"), rows, 3 * hd);
    k.attentionForward(b.qkv.ptr, b.probs.ptr, b.z.ptr, n, T, H, dh, scale);
    k.gemm(0, 1, rows, d, hd, b.z.ptr, hd, at(P, "0.o.weight"), hd, b.y.ptr, d, 0);
    k.addBias(b.y.ptr, at(P, "0.o.bias"), rows, d);
    k.gemm(1, 0, d, hd, rows, b.dy.ptr, d, b.z.ptr, hd, at(G, "0.o.weight"), hd, 0);
    k.colSum(at(G, "0.o.bias"), b.dy.ptr, rows, d, false);
    k.gemm(0, 0, rows, hd, d, b.dy.ptr, d, at(P, "0.o.weight"), hd, b.dz.ptr, hd, 0);
    k.attentionBackward(b.qkv.ptr, b.probs.ptr, b.dz.ptr, b.dqkv.ptr, b.scratch.ptr, n, T, H, dh, scale);
    k.gemm(1, 0, 3 * hd, d, rows, b.dqkv.ptr, 3 * hd, b.x.ptr, d, at(G, "0.qkv.weight"), d, 0);
    k.colSum(at(G, "0.qkv.bias"), b.dqkv.ptr, rows, 3 * hd, false);
    k.gemm(0, 0, rows, d, 3 * hd, b.dqkv.ptr, 3 * hd, at(P, "0.qkv.weight"), d, b.dx.ptr, d, 0);
  };
  return {
    run,
    gradient: () => {
      run();
      return { dx: engine.read(b.dx), grad: engine.read(G) };
    },
    dispose: () => engine.free(P, G, ...Object.values(bufs)),
  };
}

async function attentionCase(ctx: BenchContext, c: TxCase) {
  const tf = await ctx.tf();
  const { spec, batch: n } = c;
  const layout = attentionLayout(spec);
  const rng = new Rng(11);
  const model = Transformer.init(ctx.engine, { ...spec, nLayers: 1, dMlp: 0 }, rng);
  const whole = model.readParams();
  const params = new Float32Array(layout.total);
  for (const t of layout.tensors) params.set(whole.subarray(model.slot(t.name).offset, model.slot(t.name).offset + t.size), t.offset);
  model.dispose();
  const rows = n * spec.ctx;
  const x = Float32Array.from({ length: rows * spec.dModel }, () => rng.range(-1, 1));
  const dy = Float32Array.from({ length: rows * spec.dModel }, () => rng.range(-1, 1));
  const ours = oursAttentionSublayer(ctx.engine, spec, layout, params, x, dy, n);
  const ways = WAYS.map((w) => tfjsAttentionSublayer(tf, w, spec, layout, params, x, dy, n));
  try {
    const label = `transformer ${c.name}`;
    const [fair, user] = ways.map((w) => w.gradient());
    checkGradients(user, fair, `${label}: tfjs as written vs with transposes (weights)`);
    checkGradients({ grad: user.dx }, { grad: fair.dx }, `${label}: tfjs as written vs with transposes (dx)`);
    const got = ours.gradient();
    checkGradients(got, fair, `${label}: brainwire vs tfjs (weights)`);
    checkGradients({ grad: got.dx }, { grad: fair.dx }, `${label}: brainwire vs tfjs (dx)`);
    const m = measureInterleaved({ ours: ours.run, transposes: ways[0].run, user: ways[1].run }, { minMs: 1000 });
    const baselines: Record<string, Measure> = {
      [wayName("transposes")]: m.transposes, [wayName("user")]: m.user,
      pytorch: pytorch(c.pytorchMs), budget: budget(c.budgetMs),
    };
    ctx.add({
      suite: "transformer-train",
      case: `attention sublayer fwd+bwd ${c.name} (batch ${n} × ${spec.ctx} × ${spec.dModel})`,
      ours: m.ours,
      baselines,
      targets: targetsOf(c, baselines),
    });
    noteMemory(ctx, `attention sublayer ${c.name}`);
  } finally {
    ours.dispose();
    for (const w of ways) w.dispose();
  }
}
