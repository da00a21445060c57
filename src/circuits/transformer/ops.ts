// The pieces of a transformer's forward pass, one graph component at a time, on rows of positions
// (row b·T + t of a batch, or chosen rows only): what the patched passes (network.ts, fast.ts) call.
// Each piece is a row-by-row computation (GEMM rows, LayerNorm rows, element-wise maps), so a row
// computed among any other rows has the same bits: the naive and the optimised ACDC see identical
// values. Weights are the model's (src/model/transformer-spec.ts layout): qkv rows are q of heads
// 0 … H−1, then k, then v, dHead each; o's columns are head 0's dHead first.
import type { Buf } from "../../engine/engine.ts";
import { LN_EPS } from "../../model/transformer-pass.ts";
import type { Transformer } from "../../model/transformer.ts";

/** q, k, v of a head: which third of the fused qkv map. */
export type Qkv = 0 | 1 | 2;

export class TxOps {
  readonly d: number;
  readonly H: number;
  readonly dh: number;
  readonly hd: number;
  readonly scale: number;
  /** Byte offsets of the tensors, looked up once (a test builds no strings); 0 where absent. */
  private readonly top: { tok: number; inW: number; inB: number; pos: number; lnfG: number; lnfB: number; uW: number;
    uB: number };
  private readonly layers: { ln1G: number; ln1B: number; qkvW: number; qkvB: number; oW: number; oB: number; ln2G: number;
    ln2B: number; inW: number; inB: number; outW: number; outB: number }[];

  constructor(readonly model: Transformer) {
    const s = model.spec;
    this.d = s.dModel;
    this.H = s.nHeads;
    this.dh = s.dHead;
    this.hd = s.nHeads * s.dHead;
    this.scale = Math.fround(1 / Math.sqrt(s.dHead)); // as TransformerPass
    const at = (name: string) => (model.has(name) ? model.ptr(name) : 0);
    this.top = { tok: at("tok"), inW: at("in.weight"), inB: at("in.bias"), pos: at("pos"), lnfG: at("lnf.g"),
      lnfB: at("lnf.b"), uW: at("unembed.weight"), uB: at("unembed.bias") };
    this.layers = Array.from({ length: s.nLayers }, (_, l) => ({
      ln1G: at(`${l}.ln1.g`), ln1B: at(`${l}.ln1.b`), qkvW: at(`${l}.qkv.weight`), qkvB: at(`${l}.qkv.bias`),
      oW: at(`${l}.o.weight`), oB: at(`${l}.o.bias`), ln2G: at(`${l}.ln2.g`), ln2B: at(`${l}.ln2.b`),
      inW: at(`${l}.mlp.in.weight`), inB: at(`${l}.mlp.in.bias`), outW: at(`${l}.mlp.out.weight`),
      outB: at(`${l}.mlp.out.bias`),
    }));
  }

  get k() {
    return this.model.engine.k;
  }

  /** out (n·T, d) = embed(inputs) (+ pos): token lookups or the input map, as TransformerPass does. */
  embed(input: Buf<"i32"> | Buf, n: number, T: number, out: Buf): void {
    const s = this.model.spec;
    const rows = n * T;
    if (s.vocab !== undefined) this.k.embedGather(out.ptr, this.top.tok, input.ptr, rows, 1, this.d);
    else {
      this.k.gemm(0, 1, rows, this.d, s.inDim!, input.ptr, s.inDim!, this.top.inW, s.inDim!, out.ptr, this.d, 0);
      this.k.addBias(out.ptr, this.top.inB, rows, this.d);
    }
    if (s.positions) this.k.addBias(out.ptr, this.top.pos, n, T * this.d);
  }

  /**
   * The norm a receiver applies to its input copy: y = LN(x) (ln1 of layer l for heads, ln2 for the MLP,
   * lnf for resid_post); returns x's own pointer when the model has no norms.
   */
  norm(which: "ln1" | "ln2" | "lnf", l: number, x: Buf, y: Buf, stats: { mean: Buf; rstd: Buf }, rows: number): number {
    if (this.model.spec.norm === "none") return x.ptr;
    const [g, b] = which === "lnf" ? [this.top.lnfG, this.top.lnfB]
      : which === "ln1" ? [this.layers[l].ln1G, this.layers[l].ln1B] : [this.layers[l].ln2G, this.layers[l].ln2B];
    this.k.layerNormForward(y.ptr, x.ptr, g, b, stats.mean.ptr, stats.rstd.ptr, rows, this.d, LN_EPS);
    return y.ptr;
  }

  /** out (rows, dh) = x (rows, d) · W_{kind,h}ᵀ + b_{kind,h}: one head's q, k or v. */
  project(l: number, h: number, kind: Qkv, x: number, rows: number, out: Buf): void {
    const row = kind * this.hd + h * this.dh; // first row of the head's block in l.qkv.weight
    this.k.gemm(0, 1, rows, this.dh, this.d, x, this.d, this.layers[l].qkvW + 4 * row * this.d, this.d, out.ptr,
      this.dh, 0);
    this.k.addBias(out.ptr, this.layers[l].qkvB + 4 * row, rows, this.dh);
  }

  /** out (rows, d) = z_h (rows, dh) · Wo_hᵀ: the head's contribution (o's bias is not part of it). */
  headOut(l: number, h: number, z: Buf, rows: number, out: Buf): void {
    this.k.gemm(0, 1, rows, this.d, this.dh, z.ptr, this.dh, this.layers[l].oW + 4 * h * this.dh, this.hd, out.ptr,
      this.d, 0);
  }

  /** Byte offset of layer l's attention output bias (always present in every later receiver's input). */
  outBias(l: number): number {
    return this.layers[l].oB;
  }

  /** a (rows, dMlp) = act(x · W1ᵀ + b1): the MLP's hidden activations, u its pre-activations. */
  mlpHidden(l: number, x: number, rows: number, u: Buf, a: Buf): void {
    const s = this.model.spec;
    const w = s.dMlp;
    this.k.gemm(0, 1, rows, w, this.d, x, this.d, this.layers[l].inW, this.d, u.ptr, w, 0);
    this.k.addBias(u.ptr, this.layers[l].inB, rows, w);
    const n = rows * w;
    if (s.act === "gelu") this.k.geluForward(u.ptr, a.ptr, n);
    else if (s.act === "relu") this.k.reluForward(u.ptr, a.ptr, n);
    else this.k.siluForward(u.ptr, a.ptr, n);
  }

  /** out (rows, d) = a (rows, dMlp) · W2ᵀ + b2: the MLP's contribution, its output bias included. */
  mlpOut(l: number, a: number, rows: number, out: Buf): void {
    const w = this.model.spec.dMlp;
    this.k.gemm(0, 1, rows, this.d, w, a, w, this.layers[l].outW, w, out.ptr, this.d, 0);
    this.k.addBias(out.ptr, this.layers[l].outB, rows, this.d);
  }

  /** out (rows, outDim) = x · Wuᵀ (+ bu). */
  unembed(x: number, rows: number, out: Buf): void {
    const s = this.model.spec;
    this.k.gemm(0, 1, rows, s.outDim, this.d, x, this.d, this.top.uW, this.d, out.ptr, s.outDim, 0);
    if (s.unembedBias) this.k.addBias(out.ptr, this.top.uB, rows, s.outDim);
  }
}
