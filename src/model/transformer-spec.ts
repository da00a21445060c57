// The plain-data description of a small decoder-only transformer (GPT-2 / TransformerLens layout):
//   x0 = embed(tokens or vectors) [+ pos] → per block: x += attn(norm1(x)); x += mlp(norm2(x))
//   → norm_f → unembed.
// Every parameter lives in one block of f32 in WASM memory; `transformerTensors` is the single table
// of the named tensors in that block (names, shapes, offsets) that the model, the trainer, the files,
// the importers and the pictures all read. Linear maps are stored out × in, row-major (as PyTorch's
// nn.Linear and the BIMT reference's BioLinear): y = x·Wᵀ + b.

export type Norm = "layernorm" | "none";
export type Activation = "gelu" | "silu" | "relu";

export interface TransformerSpec {
  kind: "transformer";
  /** Token input: vocabulary size (embedding `tok`). Exactly one of vocab / inDim is set. */
  vocab?: number;
  /** Vector input: features per position (linear input map `in`). */
  inDim?: number;
  /** Outputs per position: the vocabulary for a language model, or regression outputs. */
  outDim: number;
  /** Context length (positions). */
  ctx: number;
  dModel: number;
  nHeads: number;
  dHead: number;
  nLayers: number;
  /** MLP width; 0 = attention-only blocks. */
  dMlp: number;
  /** "none": no norm is applied and none is stored (the BIMT reference's forward). */
  norm: Norm;
  /** gelu = the tanh approximation of GPT-2. */
  act: Activation;
  /** Learned positional embedding `pos` (ctx × dModel). */
  positions: boolean;
  /** Bias on the unembed / readout (GPT-2's lm_head has none; the BIMT reference's readout has one). */
  unembedBias: boolean;
}

/** One named tensor inside the parameter block. `shape` is row-major; `offset` counts f32 elements. */
export interface TensorSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface TransformerLayout {
  tensors: TensorSlot[];
  byName: Map<string, TensorSlot>;
  /** Total f32 elements. */
  total: number;
}

/**
 * The tensors in block order. Names (l = layer index):
 *   tok [vocab, dModel] | in.weight [dModel, inDim], in.bias [dModel]
 *   pos [ctx, dModel]                                   (positions)
 *   l.ln1.g, l.ln1.b [dModel]                           (layernorm)
 *   l.qkv.weight [3·nHeads·dHead, dModel], l.qkv.bias [3·nHeads·dHead]
 *        rows: q of head 0 … head H−1 (dHead each), then k likewise, then v likewise
 *   l.o.weight [dModel, nHeads·dHead], l.o.bias [dModel]   (columns: head 0's dHead first)
 *   l.ln2.g, l.ln2.b [dModel]                           (layernorm and dMlp > 0)
 *   l.mlp.in.weight [dMlp, dModel], l.mlp.in.bias [dMlp]    (dMlp > 0)
 *   l.mlp.out.weight [dModel, dMlp], l.mlp.out.bias [dModel] (dMlp > 0)
 *   lnf.g, lnf.b [dModel]                               (layernorm)
 *   unembed.weight [outDim, dModel], unembed.bias [outDim] (unembedBias)
 */
export function transformerTensors(spec: TransformerSpec): TransformerLayout {
  checkTransformerSpec(spec);
  const { dModel: d, nHeads: H, dHead: dh, dMlp } = spec;
  const list: [string, number[]][] = [];
  if (spec.vocab !== undefined) list.push(["tok", [spec.vocab, d]]);
  else list.push(["in.weight", [d, spec.inDim!]], ["in.bias", [d]]);
  if (spec.positions) list.push(["pos", [spec.ctx, d]]);
  const ln = spec.norm === "layernorm";
  for (let l = 0; l < spec.nLayers; l++) {
    if (ln) list.push([`${l}.ln1.g`, [d]], [`${l}.ln1.b`, [d]]);
    list.push([`${l}.qkv.weight`, [3 * H * dh, d]], [`${l}.qkv.bias`, [3 * H * dh]]);
    list.push([`${l}.o.weight`, [d, H * dh]], [`${l}.o.bias`, [d]]);
    if (dMlp > 0) {
      if (ln) list.push([`${l}.ln2.g`, [d]], [`${l}.ln2.b`, [d]]);
      list.push([`${l}.mlp.in.weight`, [dMlp, d]], [`${l}.mlp.in.bias`, [dMlp]]);
      list.push([`${l}.mlp.out.weight`, [d, dMlp]], [`${l}.mlp.out.bias`, [d]]);
    }
  }
  if (ln) list.push(["lnf.g", [d]], ["lnf.b", [d]]);
  list.push(["unembed.weight", [spec.outDim, d]]);
  if (spec.unembedBias) list.push(["unembed.bias", [spec.outDim]]);

  const tensors: TensorSlot[] = [];
  let offset = 0;
  for (const [name, shape] of list) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, shape, offset, size });
    offset += size;
  }
  return { tensors, byName: new Map(tensors.map((t) => [t.name, t])), total: offset };
}

/** Throws a message naming the field when a spec cannot describe a model. */
export function checkTransformerSpec(spec: TransformerSpec): void {
  const whole = (name: keyof TransformerSpec, min: number) => {
    const v = spec[name];
    if (!Number.isInteger(v) || (v as number) < min) {
      throw new Error(`transformer: ${String(name)} must be a whole number ≥ ${min}, got ${String(v)}`);
    }
  };
  if (spec.kind !== "transformer") throw new Error(`transformer: kind must be "transformer", got ${String(spec.kind)}`);
  if ((spec.vocab === undefined) === (spec.inDim === undefined)) {
    throw new Error("transformer: give exactly one of vocab (token input) and inDim (vector input)");
  }
  if (spec.vocab !== undefined) whole("vocab", 1);
  else whole("inDim", 1);
  for (const k of ["outDim", "ctx", "dModel", "nHeads", "dHead", "nLayers"] as const) whole(k, 1);
  whole("dMlp", 0);
  if (spec.norm !== "layernorm" && spec.norm !== "none") throw new Error(`transformer: norm must be layernorm or none`);
  if (!["gelu", "silu", "relu"].includes(spec.act)) throw new Error(`transformer: act must be gelu, silu or relu`);
  if (typeof spec.positions !== "boolean") throw new Error("transformer: positions must be true or false");
  if (typeof spec.unembedBias !== "boolean") throw new Error("transformer: unembedBias must be true or false");
}
