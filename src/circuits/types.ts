// The shared vocabulary of circuit discovery (docs/discovery.md). Edges are addressed like the
// weights they carry: weight layer l, receiver row `to`, sender column `from` (network slot order).

export type Ablation = "zero" | "mean" | "resample";
export const ABLATIONS: readonly Ablation[] = ["zero", "mean", "resample"];

/** Always minimised. kl/mse compare with the full model; logit-diff/nll are negated task scores. */
export type MetricName = "kl" | "mse" | "logit-diff" | "nll";
export const METRICS: readonly MetricName[] = ["kl", "mse", "logit-diff", "nll"];

export type Method = "acdc" | "acdc-nodes" | "eap" | "eap-ig" | "eap-acdc";

/** Per weight layer l, row-major (out × in) like W_l: 1 = edge kept. */
export type EdgeMask = Uint8Array[];

/** Per weight layer l, row-major (out × in): a score or effect size per edge. */
export type EdgeScores = Float32Array[];

/** Examples a discovery runs on. Inputs in original feature order (token ids for embedding models). */
export interface DiscoveryData {
  n: number;
  clean: Float32Array | Int32Array;
  /** Paired corrupted inputs for `resample` (example k ↔ corrupted k). */
  corrupted?: Float32Array | Int32Array;
  /** Class labels (classification) or n × d_out targets (regression), for nll / logit-diff / EAP. */
  labels?: Int32Array;
  targets?: Float32Array;
}

export interface KeptEdge {
  layer: number;
  to: number;
  from: number;
  /** new − cur when this edge's removal was tested (ACDC) or its score (EAP). */
  effect: number;
  /** Readable: "layer.from → layer+1.to" (graph.ts edgeName); circuit files carry it beside the indices. */
  name?: string;
}

export const CIRCUIT_FORMAT = "brainwire.circuit";
export const CIRCUIT_VERSION = 1;
