// An independent patched forward pass of a transformer's circuit graph, written from the spec
// (docs/transformer-circuits.md) with plain loops in f64: the test oracle for edge patching, the ACDC
// metrics and EAP's finite differences. It shares no code with src/circuits/transformer.
//   Senders: "embed" (tok + pos, or in(x) + pos), "l.h.out" (z_h·Wo_hᵀ, no bias), "l.mlp.out" (the MLP's
//   output, b2 included). Receivers: "l.h.q" / "l.h.k" / "l.h.v", "l.mlp.in", "resid_post".
//   A receiver's input at position t = Σ over its upstream senders s of
//       c_s(t) + α(s, r, t, c)·(ã_s(t) − c_s(t))          (per residual dimension c)
//   plus o.bias of every earlier layer; an MLP sender's term is Σ_n (a_n + β(s, r, t, n)·(ã_n − a_n))·W2[:, n]
//   + b2 instead when β is given. α = 0 keeps the edge, 1 removes it, anything between is a partial patch.
//   Its norm is applied to that copy. LayerNorm and the activations are the plain forward's
//   (transformer-oracle.ts).
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";
import { activation, norm } from "./transformer-oracle.ts";

type Tensors = Record<string, ArrayLike<number>>;

/** α(sender, receiver, position, dimension): the fraction of the sender's ablation in that receiver's copy. */
export type Alpha = (sender: string, receiver: string, t: number, c: number) => number;
/** β(MLP sender, receiver, position, neuron): the same for one MLP neuron's activation. */
export type Beta = (sender: string, receiver: string, t: number, n: number) => number;

/** One sequence's values: every sender's contribution (T × d) and every MLP's activations (T × dMlp). */
export interface SequenceValues {
  contrib: Map<string, Float64Array>;
  acts: Map<string, Float64Array>;
  /** T × outDim. */
  logits: Float64Array;
}

/** The senders in forward order. */
export function senderNames(spec: TransformerSpec): string[] {
  const out = ["embed"];
  for (let l = 0; l < spec.nLayers; l++) {
    for (let h = 0; h < spec.nHeads; h++) out.push(`${l}.${h}.out`);
    if (spec.dMlp > 0) out.push(`${l}.mlp.out`);
  }
  return out;
}

/**
 * One sequence through the patched graph. `alt` gives the ablated values of a sender (null: zeros);
 * without alpha/beta every edge is kept (the plain model).
 */
export function patchedSequence(spec: TransformerSpec, w: Tensors, input: ArrayLike<number>, alt: SequenceValues | null,
  alpha: Alpha = () => 0, beta?: Beta): SequenceValues {
  const d = spec.dModel;
  const T = spec.vocab !== undefined ? input.length : input.length / spec.inDim!;
  const H = spec.nHeads;
  const dh = spec.dHead;
  const get = (name: string) => {
    const t = w[name];
    if (!t) throw new Error(`patched oracle: tensor ${name} missing`);
    return t;
  };
  const contrib = new Map<string, Float64Array>();
  const acts = new Map<string, Float64Array>();
  // bias terms in forward order: after layer l's heads, o.bias of l
  const order: { sender: string | null; bias?: string }[] = [];

  const embed = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < d; c++) {
      let v: number;
      if (spec.vocab !== undefined) v = get("tok")[input[t] * d + c];
      else {
        const nIn = spec.inDim!;
        v = get("in.bias")[c];
        for (let i = 0; i < nIn; i++) v += get("in.weight")[c * nIn + i] * input[t * nIn + i];
      }
      if (spec.positions) v += get("pos")[t * d + c];
      embed[t * d + c] = v;
    }
  }
  contrib.set("embed", embed);
  order.push({ sender: "embed" });

  // receiver r's copy of the stream, before its norm
  const copy = (receiver: string): Float64Array => {
    const x = new Float64Array(T * d);
    for (const item of order) {
      if (item.bias) {
        const b = get(item.bias);
        for (let t = 0; t < T; t++) for (let c = 0; c < d; c++) x[t * d + c] += b[c];
        continue;
      }
      const s = item.sender!;
      const cs = contrib.get(s)!;
      const as = alt?.contrib.get(s) ?? null;
      if (beta && s.endsWith(".mlp.out")) {
        const l = s.split(".")[0];
        const a = acts.get(s)!;
        const at = alt?.acts.get(s) ?? null;
        const m = spec.dMlp;
        const W2 = get(`${l}.mlp.out.weight`);
        const b2 = get(`${l}.mlp.out.bias`);
        for (let t = 0; t < T; t++) {
          for (let c = 0; c < d; c++) {
            let v = b2[c];
            for (let n = 0; n < m; n++) {
              const an = a[t * m + n];
              const ablated = at ? at[t * m + n] : 0;
              v += (an + beta(s, receiver, t, n) * (ablated - an)) * W2[c * m + n];
            }
            x[t * d + c] += v;
          }
        }
        continue;
      }
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < d; c++) {
          const v = cs[t * d + c];
          const ablated = as ? as[t * d + c] : 0;
          x[t * d + c] += v + alpha(s, receiver, t, c) * (ablated - v);
        }
      }
    }
    return x;
  };

  for (let l = 0; l < spec.nLayers; l++) {
    const q: Float64Array[] = [];
    const k: Float64Array[] = [];
    const v: Float64Array[] = [];
    for (let h = 0; h < H; h++) {
      for (const [kind, out] of [[0, q], [1, k], [2, v]] as const) {
        const x = norm(spec, copy(`${l}.${h}.${"qkv"[kind]}`), T, d, w, `${l}.ln1`);
        const rows = kind * H * dh + h * dh;
        out.push(linear(x, T, d, get(`${l}.qkv.weight`), get(`${l}.qkv.bias`), dh, rows));
      }
    }
    for (let h = 0; h < H; h++) {
      const z = new Float64Array(T * dh);
      for (let i = 0; i < T; i++) {
        const s = new Float64Array(i + 1);
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += q[h][i * dh + e] * k[h][j * dh + e];
          s[j] = dot / Math.sqrt(dh);
          mx = Math.max(mx, s[j]);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += (s[j] = Math.exp(s[j] - mx));
        for (let e = 0; e < dh; e++) {
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += (s[j] / sum) * v[h][j * dh + e];
          z[i * dh + e] = acc;
        }
      }
      const Wo = get(`${l}.o.weight`);
      const out = new Float64Array(T * d);
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let e = 0; e < dh; e++) acc += z[t * dh + e] * Wo[c * H * dh + h * dh + e];
          out[t * d + c] = acc;
        }
      }
      contrib.set(`${l}.${h}.out`, out);
      order.push({ sender: `${l}.${h}.out` });
    }
    order.push({ sender: null, bias: `${l}.o.bias` });
    if (spec.dMlp > 0) {
      const x = norm(spec, copy(`${l}.mlp.in`), T, d, w, `${l}.ln2`);
      const hidden = linear(x, T, d, get(`${l}.mlp.in.weight`), get(`${l}.mlp.in.bias`), spec.dMlp, 0);
      for (let i = 0; i < hidden.length; i++) hidden[i] = activation(spec.act, hidden[i]);
      acts.set(`${l}.mlp.out`, hidden);
      contrib.set(`${l}.mlp.out`, linear(hidden, T, spec.dMlp, get(`${l}.mlp.out.weight`), get(`${l}.mlp.out.bias`), d, 0));
      order.push({ sender: `${l}.mlp.out` });
    }
  }
  const f = norm(spec, copy("resid_post"), T, d, w, "lnf");
  const logits = linear(f, T, d, get("unembed.weight"), spec.unembedBias ? get("unembed.bias") : undefined, spec.outDim, 0);
  return { contrib, acts, logits };
}

/** out (T, nOut) = x (T, nIn) · W[row0 … row0+nOut)ᵀ + b[row0 …]. */
function linear(x: Float64Array, T: number, nIn: number, W: ArrayLike<number>, b: ArrayLike<number> | undefined, nOut: number,
  row0: number): Float64Array {
  const out = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[row0 + o] : 0;
      for (let i = 0; i < nIn; i++) s += W[(row0 + o) * nIn + i] * x[t * nIn + i];
      out[t * nOut + o] = s;
    }
  }
  return out;
}

/** Ablated values per sequence: resample = the plain model on the corrupted inputs; mean = per-position means. */
export function ablatedSequences(spec: TransformerSpec, w: Tensors, clean: ArrayLike<number>[], corrupted: ArrayLike<number>[] | null,
  ablation: "zero" | "mean" | "resample"): (SequenceValues | null)[] {
  if (ablation === "zero") return clean.map(() => null);
  if (ablation === "resample") return corrupted!.map((x) => patchedSequence(spec, w, x, null));
  const runs = clean.map((x) => patchedSequence(spec, w, x, null));
  const mean = (get: (v: SequenceValues) => Map<string, Float64Array>) => {
    const out = new Map<string, Float64Array>();
    for (const [name, first] of get(runs[0])) {
      const m = new Float64Array(first.length);
      for (const r of runs) get(r).get(name)!.forEach((v, i) => (m[i] += v / runs.length));
      out.set(name, m);
    }
    return out;
  };
  const values: SequenceValues = { contrib: mean((v) => v.contrib), acts: mean((v) => v.acts), logits: new Float64Array(0) };
  return clean.map(() => values);
}

/** log-softmax of one row. */
export function logSoftmax(row: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < row.length; i++) mx = Math.max(mx, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - mx);
  const lse = mx + Math.log(s);
  return Float64Array.from(row, (v) => v - lse);
}

/** KL(p_full ‖ p) averaged over the scored (sequence, position) pairs. */
export function klAt(full: Float64Array[], got: Float64Array[], scored: [number, number][], V: number): number {
  let sum = 0;
  for (const [b, t] of scored) {
    const lp = logSoftmax(full[b].subarray(t * V, (t + 1) * V));
    const lq = logSoftmax(got[b].subarray(t * V, (t + 1) * V));
    for (let c = 0; c < V; c++) sum += Math.exp(lp[c]) * (lp[c] - lq[c]);
  }
  return sum / scored.length;
}

/** Mean −log softmax(label) over the scored pairs. */
export function nllAt(got: Float64Array[], scored: [number, number][], labels: (b: number, t: number) => number, V: number): number {
  let sum = 0;
  for (const [b, t] of scored) sum -= logSoftmax(got[b].subarray(t * V, (t + 1) * V))[labels(b, t)];
  return sum / scored.length;
}

/** Mean over the scored pairs and the outputs `outs` of (y − target)². */
export function mseAt(got: Float64Array[], target: (b: number, t: number, o: number) => number, scored: [number, number][],
  outs: number[], V: number): number {
  let sum = 0;
  for (const [b, t] of scored) for (const o of outs) sum += (got[b][t * V + o] - target(b, t, o)) ** 2;
  return sum / (scored.length * outs.length);
}
