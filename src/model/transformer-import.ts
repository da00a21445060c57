// Import of pretrained transformers from safetensors (docs/formats.md, "Transformer import"): the
// Hugging Face GPT-2 names (wte, wpe, h.N.*, ln_f, lm_head; Conv1D weights stored in × out) and the
// TransformerLens names (embed.W_E, blocks.L.attn.W_Q [heads, dModel, dHead], …). Each tensor is
// rearranged into the layout of transformerTensors: linear maps out × in, qkv rows q (heads…), k, v.
import { decodeTensor, readSafetensors, type SafetensorsFile, type TensorInfo } from "./safetensors.ts";
import { transformerSnapshot, type TransformerSnapshot } from "./transformer-io.ts";
import { transformerTensors, type Activation, type Norm, type TransformerSpec } from "./transformer-spec.ts";

export type TransformerNames = "gpt2" | "transformer-lens";

export interface TransformerImportOptions {
  /** Which naming the file uses; detected from wte / embed.W_E when absent. */
  names?: TransformerNames;
  /** Heads per layer: GPT-2 files do not record it (gpt2: 12); TransformerLens files do (W_Q's shape). */
  nHeads?: number;
  /** The MLP's activation (neither naming records it); default gelu, GPT-2's tanh form. */
  act?: Activation;
  /**
   * TransformerLens files without LayerNorm weights (a model loaded with fold_ln normalises without
   * them): "layernorm" uses unit gains and zero shifts, "none" applies no norm. Required in that case.
   */
  norm?: Norm;
  /** Context length when the file has no positional embedding (TransformerLens). */
  ctx?: number;
}

/** Which naming a safetensors file uses, or undefined for an MLP (or anything else). */
export function detectTransformerNames(bytes: Uint8Array): TransformerNames | undefined {
  return namesOf(readSafetensors(bytes));
}

function namesOf(file: SafetensorsFile): TransformerNames | undefined {
  if (file.tensors.has("wte.weight") || file.tensors.has("transformer.wte.weight")) return "gpt2";
  if (file.tensors.has("embed.W_E")) return "transformer-lens";
  return undefined;
}

/** Reads a GPT-2- or TransformerLens-named file into a validated transformer snapshot. */
export function importTransformerSafetensors(bytes: Uint8Array, opts: TransformerImportOptions = {}): TransformerSnapshot {
  const file = readSafetensors(bytes);
  const names = opts.names ?? namesOf(file);
  if (names === undefined) {
    throw new Error("safetensors: not a GPT-2 (wte.weight) or TransformerLens (embed.W_E) checkpoint");
  }
  const src = new Source(file, names);
  const { spec, tensors } = names === "gpt2" ? fromGpt2(src, opts) : fromTransformerLens(src, opts);
  src.checkAllUsed();
  const meta: Record<string, unknown> = { source: "safetensors", names };
  if (file.metadata) meta.metadata = file.metadata;
  return transformerSnapshot(spec, tensors, meta);
}

/** Tensor access that names the first missing or mis-shaped tensor, and remembers what was read. */
class Source {
  private readonly used = new Set<string>();
  readonly label: string;
  /** GPT2LMHeadModel files put the body under "transformer."; plain GPT2Model files do not. */
  readonly prefix: string;

  constructor(readonly file: SafetensorsFile, readonly names: TransformerNames) {
    this.label = names === "gpt2" ? "GPT-2" : "TransformerLens";
    this.prefix = names === "gpt2" && file.tensors.has("transformer.wte.weight") ? "transformer." : "";
  }

  has(name: string): boolean {
    return this.file.tensors.has(this.prefix + name);
  }

  info(name: string): TensorInfo {
    const t = this.file.tensors.get(this.prefix + name);
    if (!t) throw new Error(`safetensors (${this.label} names): tensor ${this.prefix + name} is missing`);
    return t;
  }

  /** The tensor's values after checking its shape; `what` explains the expected shape. */
  read(name: string, shape: number[], what: string): number[] {
    const t = this.info(name);
    if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      throw new Error(`safetensors (${this.label} names): tensor ${t.name} has shape [${t.shape.join(", ")}], ` +
        `expected [${shape.join(", ")}] (${what})`);
    }
    this.used.add(t.name);
    return decodeTensor(this.file, t);
  }

  /** Marks buffers that are not parameters (GPT-2's causal mask, TransformerLens's mask and IGNORE). */
  ignore(pattern: RegExp): void {
    for (const name of this.file.tensors.keys()) if (pattern.test(name)) this.used.add(name);
  }

  /** Nothing is silently dropped: a tensor this importer did not read is an error. */
  checkAllUsed(): void {
    const left = [...this.file.tensors.keys()].filter((n) => !this.used.has(n));
    if (left.length > 0) {
      throw new Error(`safetensors (${this.label} names): tensor ${left[0]} is not part of the model ` +
        `(${left.length} unread tensor${left.length > 1 ? "s" : ""})`);
    }
  }

  /** Layers 0 … L−1 from names like `<head>N.<rest>`; a gap names the first missing layer's tensor. */
  layerCount(head: string, probe: string): number {
    const re = new RegExp(`^${escape(this.prefix + head)}(\\d+)\\.`);
    let max = -1;
    for (const name of this.file.tensors.keys()) {
      const m = re.exec(name);
      if (m) max = Math.max(max, Number(m[1]));
    }
    if (max < 0) throw new Error(`safetensors (${this.label} names): tensor ${this.prefix}${head}0.${probe} is missing (no layers)`);
    return max + 1;
  }
}

// ---- GPT-2 (Hugging Face) ----

function fromGpt2(src: Source, opts: TransformerImportOptions) {
  const wte = src.info("wte.weight");
  if (wte.shape.length !== 2) throw shapeError(src, wte, "[vocab, dModel]");
  const [vocab, d] = wte.shape;
  const wpe = src.info("wpe.weight");
  if (wpe.shape.length !== 2 || wpe.shape[1] !== d) throw shapeError(src, wpe, `[ctx, ${d}]`);
  const nLayers = src.layerCount("h.", "ln_1.weight");
  const nHeads = opts.nHeads;
  if (nHeads === undefined) {
    throw new Error("safetensors (GPT-2 names): GPT-2 checkpoints do not record the number of heads: " +
      "give nHeads (--heads; 12 for gpt2, 16 for gpt2-medium, 20 for gpt2-large, 25 for gpt2-xl)");
  }
  if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
    throw new Error(`safetensors (GPT-2 names): nHeads ${nHeads} must divide dModel ${d}`);
  }
  const fc = src.info("h.0.mlp.c_fc.weight");
  if (fc.shape.length !== 2 || fc.shape[0] !== d) throw shapeError(src, fc, `[${d}, dMlp]`);
  const spec: TransformerSpec = {
    kind: "transformer", vocab, outDim: vocab, ctx: wpe.shape[0], dModel: d, nHeads, dHead: d / nHeads, nLayers,
    dMlp: fc.shape[1], norm: "layernorm", act: opts.act ?? "gelu", positions: true, unembedBias: false,
  };
  const dMlp = spec.dMlp;
  const t: Record<string, number[]> = {};
  t.tok = src.read("wte.weight", [vocab, d], "wte: [vocab, dModel]");
  t.pos = src.read("wpe.weight", [spec.ctx, d], "wpe: [ctx, dModel]");
  for (let l = 0; l < nLayers; l++) {
    const h = `h.${l}`;
    t[`${l}.ln1.g`] = src.read(`${h}.ln_1.weight`, [d], "dModel");
    t[`${l}.ln1.b`] = src.read(`${h}.ln_1.bias`, [d], "dModel");
    // Conv1D stores in × out: y = x·W + b. Columns of c_attn are q, k, v (dModel each, heads contiguous).
    t[`${l}.qkv.weight`] = transpose(src.read(`${h}.attn.c_attn.weight`, [d, 3 * d], "Conv1D in × out: [dModel, 3·dModel]"), d, 3 * d);
    t[`${l}.qkv.bias`] = src.read(`${h}.attn.c_attn.bias`, [3 * d], "3·dModel");
    t[`${l}.o.weight`] = transpose(src.read(`${h}.attn.c_proj.weight`, [d, d], "Conv1D in × out: [dModel, dModel]"), d, d);
    t[`${l}.o.bias`] = src.read(`${h}.attn.c_proj.bias`, [d], "dModel");
    t[`${l}.ln2.g`] = src.read(`${h}.ln_2.weight`, [d], "dModel");
    t[`${l}.ln2.b`] = src.read(`${h}.ln_2.bias`, [d], "dModel");
    t[`${l}.mlp.in.weight`] = transpose(src.read(`${h}.mlp.c_fc.weight`, [d, dMlp], "Conv1D in × out: [dModel, dMlp]"), d, dMlp);
    t[`${l}.mlp.in.bias`] = src.read(`${h}.mlp.c_fc.bias`, [dMlp], "dMlp");
    t[`${l}.mlp.out.weight`] = transpose(src.read(`${h}.mlp.c_proj.weight`, [dMlp, d], "Conv1D in × out: [dMlp, dModel]"), dMlp, d);
    t[`${l}.mlp.out.bias`] = src.read(`${h}.mlp.c_proj.bias`, [d], "dModel");
  }
  t["lnf.g"] = src.read("ln_f.weight", [d], "dModel");
  t["lnf.b"] = src.read("ln_f.bias", [d], "dModel");
  // lm_head sits outside the "transformer." body and is an nn.Linear (out × in); absent = tied to wte.
  const head = src.file.tensors.get("lm_head.weight");
  if (head) {
    if (head.shape.length !== 2 || head.shape[0] !== vocab || head.shape[1] !== d) throw shapeError(src, head, `[${vocab}, ${d}]`);
    src.ignore(/^lm_head\.weight$/);
    t["unembed.weight"] = decodeTensor(src.file, head);
  } else t["unembed.weight"] = t.tok.slice();
  src.ignore(/^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/);
  return { spec, tensors: t };
}

// ---- TransformerLens ----

function fromTransformerLens(src: Source, opts: TransformerImportOptions) {
  const we = src.info("embed.W_E");
  if (we.shape.length !== 2) throw shapeError(src, we, "[d_vocab, d_model]");
  const [vocab, d] = we.shape;
  const wq = src.info("blocks.0.attn.W_Q");
  if (wq.shape.length !== 3 || wq.shape[1] !== d) throw shapeError(src, wq, `[n_heads, ${d}, d_head]`);
  const [nHeads, , dh] = wq.shape;
  const nLayers = src.layerCount("blocks.", "attn.W_Q");
  const positions = src.has("pos_embed.W_pos");
  let ctx = opts.ctx;
  if (positions) {
    const wp = src.info("pos_embed.W_pos");
    if (wp.shape.length !== 2 || wp.shape[1] !== d) throw shapeError(src, wp, `[n_ctx, ${d}]`);
    ctx = wp.shape[0];
  } else if (ctx === undefined) {
    throw new Error("safetensors (TransformerLens names): no pos_embed.W_pos, so the file does not say the context length: give ctx");
  }
  const lnStored = src.has("blocks.0.ln1.w");
  if (!lnStored && opts.norm === undefined) {
    throw new Error("safetensors (TransformerLens names): tensor blocks.0.ln1.w is missing: a model loaded with " +
      'fold_ln normalises without weights; give norm "layernorm" (unit gains) or "none"');
  }
  const norm: Norm = lnStored ? "layernorm" : opts.norm!;
  const hasMlp = src.has("blocks.0.mlp.W_in");
  let dMlp = 0;
  if (hasMlp) {
    const wi = src.info("blocks.0.mlp.W_in");
    if (wi.shape.length !== 2 || wi.shape[0] !== d) throw shapeError(src, wi, `[${d}, d_mlp]`);
    dMlp = wi.shape[1];
  }
  const wu = src.info("unembed.W_U");
  if (wu.shape.length !== 2 || wu.shape[0] !== d) throw shapeError(src, wu, `[${d}, d_vocab_out]`);
  const outDim = wu.shape[1];
  const spec: TransformerSpec = {
    kind: "transformer", vocab, outDim, ctx: ctx!, dModel: d, nHeads, dHead: dh, nLayers, dMlp, norm,
    act: opts.act ?? "gelu", positions, unembedBias: src.has("unembed.b_U"),
  };
  const hd = nHeads * dh;
  const t: Record<string, number[]> = {};
  t.tok = src.read("embed.W_E", [vocab, d], "[d_vocab, d_model]");
  if (positions) t.pos = src.read("pos_embed.W_pos", [spec.ctx, d], "[n_ctx, d_model]");
  const normOf = (from: string, to: string) => {
    if (norm !== "layernorm") return;
    if (lnStored) {
      t[`${to}.g`] = src.read(`${from}.w`, [d], "d_model");
      t[`${to}.b`] = src.read(`${from}.b`, [d], "d_model");
    } else {
      t[`${to}.g`] = new Array<number>(d).fill(1);
      t[`${to}.b`] = new Array<number>(d).fill(0);
    }
  };
  for (let l = 0; l < nLayers; l++) {
    const b = `blocks.${l}`;
    normOf(`${b}.ln1`, `${l}.ln1`);
    const w = new Array<number>(3 * hd * d);
    const bias = new Array<number>(3 * hd);
    ["Q", "K", "V"].forEach((m, part) => {
      // W_m[h, c, e] maps residual feature c to head h's feature e: row part·hd + h·dh + e, column c.
      const W = src.read(`${b}.attn.W_${m}`, [nHeads, d, dh], "[n_heads, d_model, d_head]");
      const B = src.read(`${b}.attn.b_${m}`, [nHeads, dh], "[n_heads, d_head]");
      for (let h = 0; h < nHeads; h++) {
        for (let e = 0; e < dh; e++) {
          const row = part * hd + h * dh + e;
          for (let c = 0; c < d; c++) w[row * d + c] = W[(h * d + c) * dh + e];
          bias[row] = B[h * dh + e];
        }
      }
    });
    t[`${l}.qkv.weight`] = w;
    t[`${l}.qkv.bias`] = bias;
    // W_O[h, e, c]: head h's feature e to residual feature c, so o.weight[c, h·dh + e].
    const WO = src.read(`${b}.attn.W_O`, [nHeads, dh, d], "[n_heads, d_head, d_model]");
    const o = new Array<number>(d * hd);
    for (let h = 0; h < nHeads; h++) {
      for (let e = 0; e < dh; e++) for (let c = 0; c < d; c++) o[c * hd + h * dh + e] = WO[(h * dh + e) * d + c];
    }
    t[`${l}.o.weight`] = o;
    t[`${l}.o.bias`] = src.read(`${b}.attn.b_O`, [d], "d_model");
    if (dMlp > 0) {
      normOf(`${b}.ln2`, `${l}.ln2`);
      t[`${l}.mlp.in.weight`] = transpose(src.read(`${b}.mlp.W_in`, [d, dMlp], "[d_model, d_mlp]"), d, dMlp);
      t[`${l}.mlp.in.bias`] = src.read(`${b}.mlp.b_in`, [dMlp], "d_mlp");
      t[`${l}.mlp.out.weight`] = transpose(src.read(`${b}.mlp.W_out`, [dMlp, d], "[d_mlp, d_model]"), dMlp, d);
      t[`${l}.mlp.out.bias`] = src.read(`${b}.mlp.b_out`, [d], "d_model");
    }
  }
  normOf("ln_final", "lnf");
  t["unembed.weight"] = transpose(src.read("unembed.W_U", [d, outDim], "[d_model, d_vocab_out]"), d, outDim);
  if (spec.unembedBias) t["unembed.bias"] = src.read("unembed.b_U", [outDim], "d_vocab_out");
  src.ignore(/^blocks\.\d+\.attn\.(mask|IGNORE)$/);
  transformerTensors(spec); // the spec is whole before the snapshot's own check names tensors
  return { spec, tensors: t };
}

// ---- helpers ----

/** (cols, rows) row-major from (rows, cols) row-major. */
function transpose(a: number[], rows: number, cols: number): number[] {
  const out = new Array<number>(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

function shapeError(src: Source, t: TensorInfo, expected: string): Error {
  return new Error(`safetensors (${src.label} names): tensor ${t.name} has shape [${t.shape.join(", ")}], expected ${expected}`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
