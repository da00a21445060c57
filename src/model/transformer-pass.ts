// Forward and backward passes of a Transformer over a batch of sequences, on a workspace allocated once
// per batch shape. Every activation of the forward pass stays in the workspace (the residual stream
// after each sublayer, the norms' statistics, q/k/v, the attention probabilities, z, the MLP's pre- and
// post-activations), so the backward pass and circuit discovery read them without recomputing.
//
// Rows are the B·T positions of the batch, sequence-major; every tensor is row-major f32:
//   x0 = tok[tokens] (+ pos)  or  x0 = vectors·inᵀ + in.bias (+ pos)          resid[0] (B·T, dModel)
//   per block: h = LN1(x); qkv = h·Wqkvᵀ + b; z = attn(qkv); x += z·Woᵀ + bo      resid[+1]
//              h = LN2(x); u = h·W1ᵀ + b1; a = act(u); x += a·W2ᵀ + b2            resid[+1] (dMlp > 0)
//   logits = LNf(x)·Wuᵀ (+ bu)                                                   (B·T, outDim)
// With norm "none" the norms are the identity and their outputs alias their inputs.
import type { Buf, Engine } from "../engine/engine.ts";
import type { Transformer } from "./transformer.ts";

/** PyTorch's and GPT-2's LayerNorm epsilon. */
export const LN_EPS = 1e-5;

interface Norm {
  y: Buf; // (B·T, dModel)
  mean: Buf; // (B·T)
  rstd: Buf; // (B·T)
}

export interface LayerActs {
  /** LN1 of the residual stream; null without norms (the residual itself is the input). */
  ln1: Norm | null;
  qkv: Buf; // (B·T, 3·H·dh)
  /** Attention probabilities (B, H, T, T), zero right of the diagonal. */
  probs: Buf;
  z: Buf; // (B·T, H·dh)
  ln2: Norm | null;
  /** MLP pre-activation (B·T, dMlp); null when attention-only. */
  u: Buf | null;
  /** MLP post-activation (B·T, dMlp). */
  a: Buf | null;
}

/** Element offsets of one block's tensors in the parameter layout (−1: absent). */
interface BlockOffsets {
  ln1g: number; ln1b: number; qkvW: number; qkvB: number; oW: number; oB: number;
  ln2g: number; ln2b: number; inW: number; inB: number; outW: number; outB: number;
}

/** Element offsets of every tensor, looked up once so a step builds no strings. */
interface Offsets {
  tok: number; inW: number; inB: number; pos: number; lnfg: number; lnfb: number; uW: number; uB: number;
  blocks: BlockOffsets[];
}

function offsets(model: Transformer): Offsets {
  const at = (name: string) => model.layout.byName.get(name)?.offset ?? -1;
  return {
    tok: at("tok"), inW: at("in.weight"), inB: at("in.bias"), pos: at("pos"), lnfg: at("lnf.g"), lnfb: at("lnf.b"),
    uW: at("unembed.weight"), uB: at("unembed.bias"),
    blocks: Array.from({ length: model.spec.nLayers }, (_, l) => ({
      ln1g: at(`${l}.ln1.g`), ln1b: at(`${l}.ln1.b`), qkvW: at(`${l}.qkv.weight`), qkvB: at(`${l}.qkv.bias`),
      oW: at(`${l}.o.weight`), oB: at(`${l}.o.bias`), ln2g: at(`${l}.ln2.g`), ln2b: at(`${l}.ln2.b`),
      inW: at(`${l}.mlp.in.weight`), inB: at(`${l}.mlp.in.bias`), outW: at(`${l}.mlp.out.weight`), outB: at(`${l}.mlp.out.bias`),
    })),
  };
}

export class TransformerPass {
  readonly engine: Engine;
  /** Sequences per batch (capacity). */
  readonly batch: number;
  /** Positions per sequence (≤ ctx). */
  readonly T: number;
  /** Token ids (batch·T) i32, for token models; the caller writes them. */
  readonly tokens: Buf<"i32"> | null;
  /** Input vectors (batch·T, inDim), for vector models. */
  readonly inputs: Buf | null;
  /** The residual stream after the embedding and after each sublayer, in order. */
  readonly resid: Buf[];
  readonly layers: LayerActs[];
  readonly lnf: Norm | null;
  readonly logits: Buf; // (batch·T, outDim)
  /** ∂loss/∂logits: the loss kernel writes it, backward() reads it. */
  readonly dlogits: Buf;
  private readonly dres: Buf;
  private readonly dh: Buf;
  private readonly dqkv: Buf;
  private readonly dz: Buf;
  private readonly du: Buf | null;
  private readonly scratch: Buf;
  private readonly scale: number;
  private readonly off: Offsets;
  private disposed = false;

  constructor(
    readonly model: Transformer,
    batch: number,
    T = model.spec.ctx,
  ) {
    const s = model.spec;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`transformer pass: batch must be a whole number ≥ 1, got ${batch}`);
    if (!Number.isInteger(T) || T < 1 || T > s.ctx) throw new Error(`transformer pass: T must be 1 … ctx ${s.ctx}, got ${T}`);
    const e = (this.engine = model.engine);
    this.batch = batch;
    this.T = T;
    const rows = batch * T;
    const d = s.dModel;
    const hd = s.nHeads * s.dHead;
    const ln = s.norm === "layernorm";
    const norm = (): Norm | null => (ln ? { y: e.alloc(rows * d), mean: e.alloc(rows), rstd: e.alloc(rows) } : null);
    this.tokens = s.vocab !== undefined ? e.alloc(rows, "i32") : null;
    this.inputs = s.inDim !== undefined ? e.alloc(rows * s.inDim) : null;
    const mlp = s.dMlp > 0;
    this.resid = Array.from({ length: 1 + s.nLayers * (mlp ? 2 : 1) }, () => e.alloc(rows * d));
    this.layers = Array.from({ length: s.nLayers }, () => ({
      ln1: norm(),
      qkv: e.alloc(rows * 3 * hd),
      probs: e.alloc(batch * s.nHeads * T * T),
      z: e.alloc(rows * hd),
      ln2: mlp ? norm() : null,
      u: mlp ? e.alloc(rows * s.dMlp) : null,
      a: mlp ? e.alloc(rows * s.dMlp) : null,
    }));
    this.lnf = norm();
    this.logits = e.alloc(rows * s.outDim);
    this.dlogits = e.alloc(rows * s.outDim);
    this.dres = e.alloc(rows * d);
    this.dh = e.alloc(rows * d);
    this.dqkv = e.alloc(rows * 3 * hd);
    this.dz = e.alloc(rows * hd);
    this.du = mlp ? e.alloc(rows * s.dMlp) : null;
    this.scratch = e.alloc(T * T);
    this.scale = Math.fround(1 / Math.sqrt(s.dHead));
    this.off = offsets(model);
  }

  /** The residual stream's index before layer l's attention (resid[i]) ; its MLP reads resid[i + 1]. */
  residBefore(l: number): number {
    return this.model.spec.dMlp > 0 ? 2 * l : l;
  }

  /** The input of layer l's attention (LN1's output, or the residual stream without norms). */
  attnInput(l: number): Buf {
    return this.layers[l].ln1?.y ?? this.resid[this.residBefore(l)];
  }

  /** The input of layer l's MLP. */
  mlpInput(l: number): Buf {
    return this.layers[l].ln2?.y ?? this.resid[this.residBefore(l) + 1];
  }

  /** The unembed's input: LNf of the last residual stream. */
  finalInput(): Buf {
    return this.lnf?.y ?? this.resid[this.resid.length - 1];
  }

  /** Runs the forward pass over the first n sequences of the workspace (tokens or inputs written); returns the logits. */
  forward(n = this.batch): Buf {
    this.checkCount(n);
    const { k } = this.engine;
    const s = this.model.spec;
    const o = this.off;
    const P = this.model.params.ptr;
    const T = this.T;
    const rows = n * T;
    const d = s.dModel;
    const hd = s.nHeads * s.dHead;
    const x0 = this.resid[0];
    if (this.tokens) k.embedGather(x0.ptr, P + 4 * o.tok, this.tokens.ptr, rows, 1, d);
    else {
      const inDim = s.inDim!;
      k.gemm(0, 1, rows, d, inDim, this.inputs!.ptr, inDim, P + 4 * o.inW, inDim, x0.ptr, d, 0);
      k.addBias(x0.ptr, P + 4 * o.inB, rows, d);
    }
    if (s.positions) k.addBias(x0.ptr, P + 4 * o.pos, n, T * d); // pos (ctx, d): its first T rows, every sequence
    let r = 0;
    for (let l = 0; l < s.nLayers; l++) {
      const L = this.layers[l];
      const b = o.blocks[l];
      const x = this.resid[r];
      if (L.ln1) k.layerNormForward(L.ln1.y.ptr, x.ptr, P + 4 * b.ln1g, P + 4 * b.ln1b, L.ln1.mean.ptr, L.ln1.rstd.ptr, rows, d, LN_EPS);
      const h = L.ln1?.y ?? x;
      k.gemm(0, 1, rows, 3 * hd, d, h.ptr, d, P + 4 * b.qkvW, d, L.qkv.ptr, 3 * hd, 0);
      k.addBias(L.qkv.ptr, P + 4 * b.qkvB, rows, 3 * hd);
      k.attentionForward(L.qkv.ptr, L.probs.ptr, L.z.ptr, n, T, s.nHeads, s.dHead, this.scale);
      this.residualAdd(this.resid[r + 1], x, L.z, hd, b.oW, b.oB, rows);
      r++;
      if (L.u && L.a) {
        const x2 = this.resid[r];
        if (L.ln2) k.layerNormForward(L.ln2.y.ptr, x2.ptr, P + 4 * b.ln2g, P + 4 * b.ln2b, L.ln2.mean.ptr, L.ln2.rstd.ptr, rows, d, LN_EPS);
        const h2 = L.ln2?.y ?? x2;
        k.gemm(0, 1, rows, s.dMlp, d, h2.ptr, d, P + 4 * b.inW, d, L.u.ptr, s.dMlp, 0);
        k.addBias(L.u.ptr, P + 4 * b.inB, rows, s.dMlp);
        this.activation(L.u, L.a, rows * s.dMlp);
        this.residualAdd(this.resid[r + 1], x2, L.a, s.dMlp, b.outW, b.outB, rows);
        r++;
      }
    }
    const xf = this.resid[r];
    if (this.lnf) k.layerNormForward(this.lnf.y.ptr, xf.ptr, P + 4 * o.lnfg, P + 4 * o.lnfb, this.lnf.mean.ptr, this.lnf.rstd.ptr, rows, d, LN_EPS);
    const hf = this.lnf?.y ?? xf;
    k.gemm(0, 1, rows, s.outDim, d, hf.ptr, d, P + 4 * o.uW, d, this.logits.ptr, s.outDim, 0);
    if (s.unembedBias) k.addBias(this.logits.ptr, P + 4 * o.uB, rows, s.outDim);
    return this.logits;
  }

  /**
   * Backpropagates dlogits (written by a loss kernel) through the last forward pass over n sequences,
   * writing ∂loss/∂θ into grads (laid out like the parameters). Every tensor's gradient is overwritten.
   */
  backward(grads: Buf, n = this.batch): void {
    this.checkCount(n);
    if (grads.len < this.model.layout.total) throw new Error(`transformer pass: gradient buffer of ${grads.len} < ${this.model.layout.total}`);
    const { k } = this.engine;
    const s = this.model.spec;
    const o = this.off;
    const P = this.model.params.ptr;
    const G = grads.ptr;
    const T = this.T;
    const rows = n * T;
    const d = s.dModel;
    const hd = s.nHeads * s.dHead;
    const V = s.outDim;
    const dres = this.dres;
    // logits = hf·Wuᵀ + bu:  gWu (V,d) = dlogitsᵀ·hf, gbu = Σ dlogits, dhf = dlogits·Wu
    k.gemm(1, 0, V, d, rows, this.dlogits.ptr, V, this.finalInput().ptr, d, G + 4 * o.uW, d, 0);
    if (s.unembedBias) k.colSum(G + 4 * o.uB, this.dlogits.ptr, rows, V, false);
    let r = this.resid.length - 1;
    if (this.lnf) {
      k.gemm(0, 0, rows, d, V, this.dlogits.ptr, V, P + 4 * o.uW, d, this.dh.ptr, d, 0);
      k.layerNormBackward(dres.ptr, this.dh.ptr, this.resid[r].ptr, P + 4 * o.lnfg, this.lnf.mean.ptr, this.lnf.rstd.ptr,
        G + 4 * o.lnfg, G + 4 * o.lnfb, rows, d, 0);
    } else {
      k.gemm(0, 0, rows, d, V, this.dlogits.ptr, V, P + 4 * o.uW, d, dres.ptr, d, 0);
    }
    // dres is ∂loss/∂(residual stream) at the current depth; each branch adds its input gradient onto it.
    for (let l = s.nLayers - 1; l >= 0; l--) {
      const L = this.layers[l];
      const b = o.blocks[l];
      if (L.u && L.a && this.du) {
        r--;
        // x_out = x + a·W2ᵀ + b2:  gW2 (d,dMlp) = dresᵀ·a, gb2 = Σ dres, da = dres·W2
        k.gemm(1, 0, d, s.dMlp, rows, dres.ptr, d, L.a.ptr, s.dMlp, G + 4 * b.outW, s.dMlp, 0);
        k.colSum(G + 4 * b.outB, dres.ptr, rows, d, false);
        k.gemm(0, 0, rows, s.dMlp, d, dres.ptr, d, P + 4 * b.outW, s.dMlp, this.du.ptr, s.dMlp, 0);
        this.activationBackward(this.du, L.u, rows * s.dMlp);
        // u = h2·W1ᵀ + b1:  gW1 (dMlp,d) = duᵀ·h2, gb1 = Σ du, dh2 = du·W1
        k.gemm(1, 0, s.dMlp, d, rows, this.du.ptr, s.dMlp, this.mlpInput(l).ptr, d, G + 4 * b.inW, d, 0);
        k.colSum(G + 4 * b.inB, this.du.ptr, rows, s.dMlp, false);
        this.inputGradient(this.du, s.dMlp, P + 4 * b.inW, L.ln2, this.resid[r], P + 4 * b.ln2g, G + 4 * b.ln2g, G + 4 * b.ln2b, rows);
      }
      r--;
      // x_out = x + z·Woᵀ + bo:  gWo (d,hd) = dresᵀ·z, gbo = Σ dres, dz = dres·Wo
      k.gemm(1, 0, d, hd, rows, dres.ptr, d, L.z.ptr, hd, G + 4 * b.oW, hd, 0);
      k.colSum(G + 4 * b.oB, dres.ptr, rows, d, false);
      k.gemm(0, 0, rows, hd, d, dres.ptr, d, P + 4 * b.oW, hd, this.dz.ptr, hd, 0);
      k.attentionBackward(L.qkv.ptr, L.probs.ptr, this.dz.ptr, this.dqkv.ptr, this.scratch.ptr, n, T, s.nHeads, s.dHead, this.scale);
      // qkv = h·Wqkvᵀ + b:  gWqkv (3hd,d) = dqkvᵀ·h, gb = Σ dqkv, dh = dqkv·Wqkv
      k.gemm(1, 0, 3 * hd, d, rows, this.dqkv.ptr, 3 * hd, this.attnInput(l).ptr, d, G + 4 * b.qkvW, d, 0);
      k.colSum(G + 4 * b.qkvB, this.dqkv.ptr, rows, 3 * hd, false);
      this.inputGradient(this.dqkv, 3 * hd, P + 4 * b.qkvW, L.ln1, this.resid[r], P + 4 * b.ln1g, G + 4 * b.ln1g, G + 4 * b.ln1b, rows);
    }
    // Embedding: pos[t] collects every sequence's position t; rows of pos past T get no gradient.
    if (s.positions) {
      k.colSum(G + 4 * o.pos, dres.ptr, n, T * d, false);
      if (T < s.ctx) this.zero(G + 4 * (o.pos + T * d), (s.ctx - T) * d);
    }
    if (this.tokens) {
      this.zero(G + 4 * o.tok, s.vocab! * d);
      k.embedScatterAdd(G + 4 * o.tok, dres.ptr, this.tokens.ptr, rows, 1, d);
    } else {
      const inDim = s.inDim!;
      k.gemm(1, 0, d, inDim, rows, dres.ptr, d, this.inputs!.ptr, inDim, G + 4 * o.inW, inDim, 0);
      k.colSum(G + 4 * o.inB, dres.ptr, rows, d, false);
    }
  }

  /** A copy of layer l's attention probabilities for the first n sequences, (n, H, T, T). */
  attention(l: number, n = this.batch): Float32Array {
    const p = this.layers[l].probs;
    const size = n * this.model.spec.nHeads * this.T * this.T;
    return this.engine.f32(p).slice(0, size);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const e = this.engine;
    const norm = (x: Norm | null) => (x ? [x.y, x.mean, x.rstd] : []);
    e.free(this.tokens ?? undefined, this.inputs ?? undefined, ...this.resid);
    for (const L of this.layers) e.free(...norm(L.ln1), L.qkv, L.probs, L.z, ...norm(L.ln2), L.u ?? undefined, L.a ?? undefined);
    e.free(...norm(this.lnf), this.logits, this.dlogits, this.dres, this.dh, this.dqkv, this.dz, this.du ?? undefined, this.scratch);
  }

  // out (rows,d) = x + src·Wᵀ + b, W (d, width) at element offset w, b at bo
  private residualAdd(out: Buf, x: Buf, src: Buf, width: number, w: number, bo: number, rows: number): void {
    const { k } = this.engine;
    const P = this.model.params.ptr;
    const d = this.model.spec.dModel;
    k.gemm(0, 1, rows, d, width, src.ptr, width, P + 4 * w, width, out.ptr, d, 0);
    k.addBias(out.ptr, P + 4 * bo, rows, d);
    k.addScaled(out.ptr, x.ptr, out.ptr, rows * d, 1);
  }

  // dres += ∂/∂x of a branch y = norm(x)·Wᵀ (W (width, d) at byte offset w) given dOut = ∂/∂y: through
  // the norm (gain at gain, its gradients into dg, db) when there is one
  private inputGradient(dOut: Buf, width: number, w: number, norm: Norm | null, x: Buf, gain: number, dg: number, db: number,
    rows: number): void {
    const { k } = this.engine;
    const d = this.model.spec.dModel;
    if (norm) {
      k.gemm(0, 0, rows, d, width, dOut.ptr, width, w, d, this.dh.ptr, d, 0);
      k.layerNormBackward(this.dres.ptr, this.dh.ptr, x.ptr, gain, norm.mean.ptr, norm.rstd.ptr, dg, db, rows, d, 1);
    } else {
      k.gemm(0, 0, rows, d, width, dOut.ptr, width, w, d, this.dres.ptr, d, 1);
    }
  }

  private activation(u: Buf, a: Buf, n: number): void {
    const { k } = this.engine;
    const act = this.model.spec.act;
    if (act === "gelu") k.geluForward(u.ptr, a.ptr, n);
    else if (act === "relu") k.reluForward(u.ptr, a.ptr, n);
    else k.siluForward(u.ptr, a.ptr, n);
  }

  // du ← du·act'(u), in place
  private activationBackward(du: Buf, u: Buf, n: number): void {
    const { k } = this.engine;
    const act = this.model.spec.act;
    if (act === "gelu") k.geluBackward(du.ptr, du.ptr, u.ptr, n);
    else if (act === "relu") k.reluBackward(du.ptr, du.ptr, u.ptr, n);
    else k.siluBackward(du.ptr, du.ptr, u.ptr, n);
  }

  private zero(ptr: number, len: number): void {
    this.engine.k.fill(ptr, len, 0);
  }

  private checkCount(n: number): void {
    if (this.disposed) throw new Error("transformer pass: used after dispose");
    if (!Number.isInteger(n) || n < 1 || n > this.batch) throw new Error(`transformer pass: n must be 1 … ${this.batch}, got ${n}`);
  }
}
