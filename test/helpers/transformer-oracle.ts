// An independent forward pass of the transformer, written from the spec (docs/transformer.md) with
// plain loops in f64: the test oracle for the WASM passes, the importers and the swaps. It shares no
// code with the library's passes and is never bundled.
//   x0 = embed(tokens) or in(vectors), + pos; per block x += attn(norm1(x)); x += mlp(norm2(x));
//   norm_f; logits = unembed(x).
// Tensors are the layout's (src/model/transformer-spec.ts): linear maps out × in, row-major, y = W·x + b;
// qkv rows are q (head 0 … H−1, dHead each), then k, then v; o's columns are head 0's dHead first.
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";

/** LayerNorm's ε (PyTorch's, GPT-2's and TransformerLens's default); the variance is the biased one. */
export const LN_EPS = 1e-5;

export interface OracleOutput {
  /** T × outDim. */
  logits: Float64Array;
  /** attn[layer][head]: T × T, row t = query position t's probabilities over key positions 0 … t. */
  attn: Float64Array[][];
  /** The residual stream after each block (resid[l], T × dModel), then after the final norm. */
  resid: Float64Array[];
}

type Tensors = Record<string, ArrayLike<number>>;

/**
 * One sequence: `input` holds T token ids, or T × inDim features (row-major). T ≤ ctx.
 */
export function oracleForward(spec: TransformerSpec, w: Tensors, input: ArrayLike<number>): OracleOutput {
  const d = spec.dModel;
  const T = spec.vocab !== undefined ? input.length : input.length / spec.inDim!;
  if (!Number.isInteger(T) || T < 1 || T > spec.ctx) throw new Error(`oracle: ${T} positions for ctx ${spec.ctx}`);
  const get = (name: string): ArrayLike<number> => {
    const t = w[name];
    if (!t) throw new Error(`oracle: tensor ${name} missing`);
    return t;
  };

  // Embedding.
  const x = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    if (spec.vocab !== undefined) {
      const tok = get("tok");
      const id = input[t];
      for (let c = 0; c < d; c++) x[t * d + c] = tok[id * d + c];
    } else {
      const nIn = spec.inDim!;
      const W = get("in.weight");
      const b = get("in.bias");
      for (let c = 0; c < d; c++) {
        let s = b[c];
        for (let i = 0; i < nIn; i++) s += W[c * nIn + i] * input[t * nIn + i];
        x[t * d + c] = s;
      }
    }
    if (spec.positions) {
      const pos = get("pos");
      for (let c = 0; c < d; c++) x[t * d + c] += pos[t * d + c];
    }
  }

  const H = spec.nHeads;
  const dh = spec.dHead;
  const hd = H * dh;
  const attn: Float64Array[][] = [];
  const resid: Float64Array[] = [];
  for (let l = 0; l < spec.nLayers; l++) {
    // Attention.
    const a = norm(spec, x, T, d, w, `${l}.ln1`);
    const qkv = linear(a, T, d, get(`${l}.qkv.weight`), get(`${l}.qkv.bias`), 3 * hd);
    const z = new Float64Array(T * hd);
    const probs: Float64Array[] = [];
    for (let h = 0; h < H; h++) {
      const p = new Float64Array(T * T);
      for (let i = 0; i < T; i++) {
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let e = 0; e < dh; e++) s += qkv[i * 3 * hd + h * dh + e] * qkv[j * 3 * hd + hd + h * dh + e];
          p[i * T + j] = s / Math.sqrt(dh);
          max = Math.max(max, p[i * T + j]);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += (p[i * T + j] = Math.exp(p[i * T + j] - max));
        for (let j = 0; j <= i; j++) p[i * T + j] /= sum;
        for (let e = 0; e < dh; e++) {
          let s = 0;
          for (let j = 0; j <= i; j++) s += p[i * T + j] * qkv[j * 3 * hd + 2 * hd + h * dh + e];
          z[i * hd + h * dh + e] = s;
        }
      }
      probs.push(p);
    }
    attn.push(probs);
    const o = linear(z, T, hd, get(`${l}.o.weight`), get(`${l}.o.bias`), d);
    for (let i = 0; i < x.length; i++) x[i] += o[i];

    // MLP.
    if (spec.dMlp > 0) {
      const m = norm(spec, x, T, d, w, `${l}.ln2`);
      const hidden = linear(m, T, d, get(`${l}.mlp.in.weight`), get(`${l}.mlp.in.bias`), spec.dMlp);
      for (let i = 0; i < hidden.length; i++) hidden[i] = activation(spec.act, hidden[i]);
      const out = linear(hidden, T, spec.dMlp, get(`${l}.mlp.out.weight`), get(`${l}.mlp.out.bias`), d);
      for (let i = 0; i < x.length; i++) x[i] += out[i];
    }
    resid.push(x.slice());
  }
  const f = norm(spec, x, T, d, w, "lnf");
  resid.push(f);
  const logits = linear(f, T, d, get("unembed.weight"), spec.unembedBias ? get("unembed.bias") : undefined, spec.outDim);
  return { logits, attn, resid };
}

/** out (T, nOut) = x (T, nIn) · Wᵀ + b. */
function linear(x: Float64Array, T: number, nIn: number, W: ArrayLike<number>, b: ArrayLike<number> | undefined, nOut: number): Float64Array {
  const out = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += W[o * nIn + i] * x[t * nIn + i];
      out[t * nOut + o] = s;
    }
  }
  return out;
}

/** LayerNorm per position with gain `${name}.g` and shift `${name}.b`, or a copy when norm is "none". */
export function norm(spec: TransformerSpec, x: Float64Array, T: number, d: number, w: Tensors, name: string): Float64Array {
  const out = x.slice();
  if (spec.norm === "none") return out;
  const g = w[`${name}.g`];
  const b = w[`${name}.b`];
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let c = 0; c < d; c++) mean += x[t * d + c];
    mean /= d;
    let v = 0;
    for (let c = 0; c < d; c++) v += (x[t * d + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + LN_EPS);
    for (let c = 0; c < d; c++) out[t * d + c] = (x[t * d + c] - mean) * inv * g[c] + b[c];
  }
  return out;
}

/** gelu is GPT-2's tanh approximation. */
export function activation(act: TransformerSpec["act"], v: number): number {
  if (act === "relu") return v > 0 ? v : 0;
  if (act === "silu") return v / (1 + Math.exp(-v));
  return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
}

/** Test weights for a layout: sums of three uniforms (xorshift32, seeded) times `scale`; gains near 1. */
export function randomTensors(layout: { tensors: { name: string; size: number }[] }, seed: number,
  scale = 0.3): Record<string, Float32Array> {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out: Record<string, Float32Array> = {};
  for (const t of layout.tensors) {
    const a = new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) a[i] = (u() + u() + u() - 1.5) * 2 * scale;
    if (t.name.endsWith(".g")) for (let i = 0; i < t.size; i++) a[i] = 1 + a[i];
    out[t.name] = a;
  }
  return out;
}
