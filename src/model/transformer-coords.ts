// Coordinates of a transformer's neurons for BIMT (docs/transformer.md, "BIMT for transformers"), as
// the reference's BioTransformer lays them out: every linear map's inputs and outputs lie on [0, 1] at
// (i + 0.5)/n (numpy's linspace(1/(2n), 1 − 1/(2n), n)); the fused qkv map folds its outputs in 3
// (q, k and v each spread over [0, 1], so q_p, k_p and v_p share slot p) and its slots are grouped by
// head (head h holds slots h·dHead …); and one set of residual-stream coordinates is shared by every
// map that reads or writes the stream, in every block. Distances are 1-D, |x_out − x_in|.
import type { TransformerSpec } from "./transformer-spec.ts";

/** A layer of neurons between maps. `groups` > 1 only for attention (one group per head). */
export interface NeuronLayer {
  /** "input" (vector input), "resid", "<l>.attn", "<l>.mlp", "output". */
  id: string;
  size: number;
  groups: number;
}

/** A linear map with coordinates: weight (rows × cols, out × in), rows folded in outFold groups. */
export interface CoordMap {
  /** "in", "<l>.qkv", "<l>.o", "<l>.mlp.in", "<l>.mlp.out", "unembed". */
  name: string;
  weight: string;
  bias?: string;
  rows: number;
  cols: number;
  /** The rows are outFold stacked groups of rows/outFold slots (3 for qkv, else 1). */
  outFold: number;
  /** Neuron layers the map reads (columns) and writes (rows). */
  from: string;
  to: string;
}

/** x of slot i of n. */
export function slotX(i: number, n: number): number {
  return (i + 0.5) / n;
}

/**
 * Raw distances of one fold block, out slots × in slots (row-major): |x_r − x_c|, in f32 (the
 * kernels' precision).
 */
export function blockDistances(rows: number, cols: number): Float32Array {
  const d = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[r * cols + c] = Math.abs(slotX(r, rows) - slotX(c, cols));
  return d;
}

/** The neuron layers in forward order (vector input first; token input has no placed input layer). */
export function transformerNeuronLayers(spec: TransformerSpec): NeuronLayer[] {
  const layers: NeuronLayer[] = [];
  if (spec.inDim !== undefined) layers.push({ id: "input", size: spec.inDim, groups: 1 });
  layers.push({ id: "resid", size: spec.dModel, groups: 1 });
  for (let l = 0; l < spec.nLayers; l++) {
    layers.push({ id: `${l}.attn`, size: spec.nHeads * spec.dHead, groups: spec.nHeads });
    if (spec.dMlp > 0) layers.push({ id: `${l}.mlp`, size: spec.dMlp, groups: 1 });
  }
  layers.push({ id: "output", size: spec.outDim, groups: 1 });
  return layers;
}

/** Every linear map that has coordinates, in forward order. Embeddings (tok, pos) are lookups, not maps. */
export function transformerMaps(spec: TransformerSpec): CoordMap[] {
  const d = spec.dModel;
  const hd = spec.nHeads * spec.dHead;
  const maps: CoordMap[] = [];
  if (spec.inDim !== undefined) {
    maps.push({ name: "in", weight: "in.weight", bias: "in.bias", rows: d, cols: spec.inDim, outFold: 1, from: "input", to: "resid" });
  }
  for (let l = 0; l < spec.nLayers; l++) {
    maps.push(
      { name: `${l}.qkv`, weight: `${l}.qkv.weight`, bias: `${l}.qkv.bias`, rows: 3 * hd, cols: d, outFold: 3, from: "resid", to: `${l}.attn` },
      { name: `${l}.o`, weight: `${l}.o.weight`, bias: `${l}.o.bias`, rows: d, cols: hd, outFold: 1, from: `${l}.attn`, to: "resid" },
    );
    if (spec.dMlp > 0) {
      maps.push(
        { name: `${l}.mlp.in`, weight: `${l}.mlp.in.weight`, bias: `${l}.mlp.in.bias`, rows: spec.dMlp, cols: d, outFold: 1, from: "resid", to: `${l}.mlp` },
        { name: `${l}.mlp.out`, weight: `${l}.mlp.out.weight`, bias: `${l}.mlp.out.bias`, rows: d, cols: spec.dMlp, outFold: 1, from: `${l}.mlp`, to: "resid" },
      );
    }
  }
  maps.push({
    name: "unembed", weight: "unembed.weight", bias: spec.unembedBias ? "unembed.bias" : undefined, rows: spec.outDim,
    cols: d, outFold: 1, from: "resid", to: "output",
  });
  return maps;
}

/**
 * What a residual-stream permutation moves besides the maps that read and write the stream (and the
 * writers' biases): the embeddings' columns and every LayerNorm's gain and shift, entry by entry.
 * None of them has coordinates, so the move changes no distance.
 */
export function residualPassengers(spec: TransformerSpec): { columns: string[]; entries: string[] } {
  const columns = spec.vocab !== undefined ? ["tok"] : [];
  if (spec.positions) columns.push("pos");
  const entries: string[] = [];
  if (spec.norm === "layernorm") {
    for (let l = 0; l < spec.nLayers; l++) {
      entries.push(`${l}.ln1.g`, `${l}.ln1.b`);
      if (spec.dMlp > 0) entries.push(`${l}.ln2.g`, `${l}.ln2.b`);
    }
    entries.push("lnf.g", "lnf.b");
  }
  return { columns, entries };
}
