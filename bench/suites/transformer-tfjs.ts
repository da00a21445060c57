// The transformer training step of the transformer-train suite written with tfjs ops, in two ways:
//   "user":       as a tfjs user writes it: matMul(x, W), q·kᵀ as matMul(q, k, false, true), and tfjs's own
//                 gradients, whose backward of every product multiplies by a transposed operand;
//   "transposes": the same forward, every product through a custom gradient that transposes explicitly
//                 (tf.transpose, then a plain matMul), because tfjs-wasm's transposed matmul runs at a
//                 small fraction of its plain one's speed. This is the fair baseline.
// Both hold the model's tensors under our names (src/model/transformer-spec.ts), linear weights in tfjs's
// in × out layout, and read and write them in our parameter layout (out × in) for validation.
import type { GradSaveFunc, Scalar, Tensor, Variable } from "@tensorflow/tfjs-core";
import type { TransformerLayout, TransformerSpec } from "../../src/model/transformer-spec.ts";
import { LN_EPS } from "../../src/model/transformer-pass.ts";
import type { Tf } from "../harness.ts";

export type TfjsWay = "user" | "transposes";

/** A batch: token ids or vectors (B·T rows), and the loss's targets with their mask. */
export interface TfjsBatch {
  B: number;
  tokens?: Int32Array;
  vectors?: Float32Array;
  /** Classification: next-token labels (B·T), < 0 where the loss ignores the position. */
  labels?: Int32Array;
  /** Regression: targets (B·T, outDim), every entry counted. */
  targets?: Float32Array;
}

/** Products of the forward pass: 2-D x·W and batched a·b, a·bᵀ (rank 4). */
interface Products {
  linear(x: Tensor, w: Tensor): Tensor;
  bmm(a: Tensor, b: Tensor): Tensor;
  bmmT(a: Tensor, b: Tensor): Tensor;
}

function products(tf: Tf, way: TfjsWay): Products {
  if (way === "user") {
    return {
      linear: (x, w) => tf.matMul(x, w),
      bmm: (a, b) => tf.matMul(a, b),
      bmmT: (a, b) => tf.matMul(a, b, false, true),
    };
  }
  // a·b with a gradient made of explicit transposes and plain products: da = dy·bᵀ, db = aᵀ·dy.
  const swapLast = (t: Tensor) => {
    const perm = t.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return tf.transpose(t, perm);
  };
  const mm = tf.customGrad(((a: Tensor, b: Tensor, save: GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy, swapLast(saved[1])), tf.matMul(swapLast(saved[0]), dy)],
    };
  }) as never) as (a: Tensor, b: Tensor) => Tensor;
  return { linear: mm, bmm: mm, bmmT: (a, b) => mm(a, swapLast(b)) };
}

/** A linear weight (2-D, name ending .weight) is stored transposed; everything else as laid out. */
const transposed = (name: string, shape: number[]) => shape.length === 2 && name.endsWith(".weight");

function transpose2(src: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** The model's tensors as tfjs variables, loaded from and read back into our parameter layout. */
export class TfjsParams {
  readonly vars = new Map<string, Variable>();
  constructor(private readonly tf: Tf, private readonly layout: TransformerLayout, params: Float32Array) {
    for (const t of layout.tensors) {
      const data = params.subarray(t.offset, t.offset + t.size);
      const [value, shape] = transposed(t.name, t.shape) ? [transpose2(data, t.shape[0], t.shape[1]), [t.shape[1], t.shape[0]]] : [data.slice(), t.shape];
      this.vars.set(t.name, tf.variable(tf.tensor(value, shape), true, `${t.name}-${Math.random()}`));
    }
  }

  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`tfjs transformer: no tensor ${name}`);
    return v;
  }

  /** Named tensors (tfjs layout) → one array in our parameter layout. */
  toLayout(byName: Record<string, Tensor>): Float32Array {
    const out = new Float32Array(this.layout.total);
    for (const t of this.layout.tensors) {
      const data = byName[t.name].dataSync();
      out.set(transposed(t.name, t.shape) ? transpose2(data, t.shape[1], t.shape[0]) : data, t.offset);
    }
    return out;
  }

  dispose(): void {
    this.tf.dispose([...this.vars.values()]);
  }
}

/** GELU, tanh form (tfjs-core has no gelu op). */
function gelu(tf: Tf, x: Tensor): Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

function layerNorm(tf: Tf, x: Tensor, g: Tensor, b: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPS))), g), b);
}

/**
 * Causal multi-head attention of one layer on h (B·T, d): qkv map, scores, mask, softmax, AV, out map.
 * `mask` is (T, T), 0 on and left of the diagonal and −1e9 right of it.
 */
export function tfjsAttention(tf: Tf, p: Products, spec: TransformerSpec, h: Tensor, B: number, W: (n: string) => Tensor,
  l: number, mask: Tensor): Tensor {
  const { nHeads: H, dHead: dh, ctx: T } = spec;
  const qkv = tf.add(p.linear(h, W(`${l}.qkv.weight`)), W(`${l}.qkv.bias`));
  const heads = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]));
  const scores = tf.add(tf.mul(p.bmmT(heads[0], heads[1]), 1 / Math.sqrt(dh)), mask);
  const z = tf.reshape(tf.transpose(p.bmm(tf.softmax(scores), heads[2]), [0, 2, 1, 3]), [B * T, H * dh]);
  return tf.add(p.linear(z, W(`${l}.o.weight`)), W(`${l}.o.bias`));
}

/** The causal mask added to the scores. */
export function causalMask(tf: Tf, T: number): Tensor {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** The training step of a transformer with tfjs ops, one way, on one fixed batch; Adam (tfjs has no AdamW). */
export function tfjsTransformerStep(tf: Tf, way: TfjsWay, spec: TransformerSpec, layout: TransformerLayout,
  params: Float32Array, batch: TfjsBatch, lr: number) {
  const p = products(tf, way);
  const vars = new TfjsParams(tf, layout, params);
  const W = (n: string) => vars.get(n);
  const { B } = batch;
  const T = spec.ctx;
  const rows = B * T;
  const mask = causalMask(tf, T);
  // tfjs-wasm has no UnsortedSegmentSum, gather's gradient, so tokens embed as a one-hot product.
  const input = batch.tokens ? tf.cast(tf.oneHot(tf.tensor1d(batch.tokens, "int32"), spec.vocab!), "float32")
    : tf.tensor2d(batch.vectors!, [rows, spec.inDim!]);
  // The loss: mean cross-entropy over counted positions, or mean squared error over every output.
  const labels = batch.labels;
  const counted = labels ? Float32Array.from(labels, (y) => (y >= 0 ? 1 : 0)) : null;
  const onehot = labels ? tf.oneHot(tf.tensor1d(Int32Array.from(labels, (y) => Math.max(y, 0)), "int32"), spec.outDim) : null;
  const weights = counted ? tf.tensor1d(counted) : null;
  const targets = batch.targets ? tf.tensor2d(batch.targets, [rows, spec.outDim]) : null;
  const ln = spec.norm === "layernorm";
  const norm = (x: Tensor, name: string) => (ln ? layerNorm(tf, x, W(`${name}.g`), W(`${name}.b`)) : x);

  const logits = () => {
    let x = batch.tokens ? p.linear(input, W("tok")) : tf.add(p.linear(input, W("in.weight")), W("in.bias"));
    if (spec.positions) x = tf.reshape(tf.add(tf.reshape(x, [B, T, spec.dModel]), W("pos")), [rows, spec.dModel]);
    for (let l = 0; l < spec.nLayers; l++) {
      x = tf.add(x, tfjsAttention(tf, p, spec, norm(x, `${l}.ln1`), B, W, l, mask));
      if (spec.dMlp > 0) {
        const u = tf.add(p.linear(norm(x, `${l}.ln2`), W(`${l}.mlp.in.weight`)), W(`${l}.mlp.in.bias`));
        const a = spec.act === "gelu" ? gelu(tf, u) : spec.act === "relu" ? tf.relu(u) : tf.mul(u, tf.sigmoid(u));
        x = tf.add(x, tf.add(p.linear(a, W(`${l}.mlp.out.weight`)), W(`${l}.mlp.out.bias`)));
      }
    }
    const out = p.linear(norm(x, "lnf"), W("unembed.weight"));
    return spec.unembedBias ? tf.add(out, W("unembed.bias")) : out;
  };
  const loss = (): Scalar => {
    const y = logits();
    return (onehot ? tf.losses.softmaxCrossEntropy(onehot, y, weights!) : tf.losses.meanSquaredError(targets!, y)) as Scalar;
  };
  const varList = [...vars.vars.values()];
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  return {
    /** One training step: forward, backward, Adam. */
    run() {
      const l = opt.minimize(loss, true, varList)!;
      l.dataSync();
      l.dispose();
    },
    /** The loss and its gradient in our parameter layout, at the current weights. */
    gradient(): { loss: number; grad: Float32Array } {
      const { value, grads } = tf.variableGrads(loss, varList);
      const byName: Record<string, Tensor> = {};
      for (const [name, v] of vars.vars) byName[name] = grads[v.name];
      const out = { loss: value.dataSync()[0], grad: vars.toLayout(byName) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    },
    dispose() {
      vars.dispose();
      opt.dispose();
      tf.dispose([mask, input, ...[onehot, weights, targets].filter((t): t is Tensor => t !== null)]);
    },
  };
}

/**
 * C's attention sublayer alone with tfjs ops: y = attn(x) for x (B·T, d) and its backward from a given
 * upstream gradient dy: ∂/∂x and ∂/∂(qkv, o weights and biases), as ⟨y, dy⟩'s gradient.
 */
export function tfjsAttentionSublayer(tf: Tf, way: TfjsWay, spec: TransformerSpec, layout: TransformerLayout,
  params: Float32Array, x: Float32Array, dy: Float32Array, B: number) {
  const p = products(tf, way);
  const vars = new TfjsParams(tf, layout, params);
  const rows = B * spec.ctx;
  const xt = tf.variable(tf.tensor2d(x, [rows, spec.dModel]), true, `x-${Math.random()}`);
  const dyt = tf.tensor2d(dy, [rows, spec.dModel]);
  const mask = causalMask(tf, spec.ctx);
  const varList = [xt, ...vars.vars.values()];
  const f = () => tf.sum(tf.mul(tfjsAttention(tf, p, spec, xt, B, (n) => vars.get(n), 0, mask), dyt)) as Scalar;
  const grads = () => tf.variableGrads(f, varList);
  return {
    run() {
      const { value, grads: g } = grads();
      value.dataSync();
      tf.dispose([value, ...Object.values(g)]);
    },
    /** ∂/∂x (B·T, d), and the weights' gradient in our parameter layout. */
    gradient(): { dx: Float32Array; grad: Float32Array } {
      const { value, grads: g } = grads();
      const byName: Record<string, Tensor> = {};
      for (const [name, v] of vars.vars) byName[name] = g[v.name];
      const out = { dx: g[xt.name].dataSync() as Float32Array, grad: vars.toLayout(byName) };
      tf.dispose([value, ...Object.values(g)]);
      return out;
    },
    dispose() {
      vars.dispose();
      tf.dispose([xt, dyt, mask]);
    },
  };
}
