// The plain-data description of a BIMT MLP: what is saved, drawn and sent over the wire.

export type Layout = "line" | "grid";

export interface ModelSpec {
  /** [d_in, h1, …, d_out]; with an embedding, d_in = inFold · embed.dim. */
  shape: number[];
  /** "line": 1-D coordinates; "grid": image inputs on a side×side grid, hidden layers on square grids, outputs on a ring. */
  layout: Layout;
  /** Input groups that share the same x-slots (2 when two token embeddings are concatenated). */
  inFold: number;
  /** Learned token embedding: the input is concat(E[a], E[b], …), one token per fold. */
  embed?: { tokens: number; dim: number };
}

export const MODEL_FORMAT = "brainwire.model";
export const MODEL_VERSION = 1;

/** A model as JSON-serialisable data. Weight matrices are row-major (out × in). */
export interface ModelSnapshot {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  spec: ModelSpec;
  layers: { weight: number[]; bias: number[] }[];
  /** tokens × dim, row-major, columns in network-slot order. */
  embedding?: number[];
  /** Network input slot s (in every fold) reads original feature inPerm[s]. Length shape[0] / inFold. */
  inPerm: number[];
  /** Output slot p holds original output outPerm[p]. Length d_out. */
  outPerm: number[];
  /** Free-form provenance: task, mode, seed, settings, metrics. */
  meta?: Record<string, unknown>;
}

/** Number of x-slots in neuron layer `l` (the input layer's slots are shared by its folds). */
export function slotCount(spec: ModelSpec, l: number): number {
  return l === 0 ? spec.shape[0] / spec.inFold : spec.shape[l];
}
