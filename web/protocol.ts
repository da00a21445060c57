// Messages between the page (main.ts) and its training worker (worker.ts). Plain data only: snapshots
// are JSON-shaped, masks are Uint8Arrays (structured clone copies them).
import type { CircuitScores, Metrics, ModelSnapshot } from "../src/index.ts";

export interface TrainRequest {
  type: "train";
  task: string;
  mode: string;
  seed: number;
  steps: number;
}

export interface DiscoverRequest {
  type: "discover";
  method: string;
  tau: number;
  ablation: string;
}

export type ToWorker = TrainRequest | DiscoverRequest | { type: "stop" };

/** A request as the run's raw input for the app layer's resolvers: the same keys every face passes. */
export function runInput(m: TrainRequest | DiscoverRequest): Record<string, unknown> {
  const { type: _type, ...raw } = m;
  return raw;
}

export interface TrainProgress {
  type: "progress";
  step: number;
  steps: number;
  loss: number;
  cost: number;
  swaps: number;
  /** The model to draw, at most every SNAPSHOT_MS (worker.ts); absent in between. */
  snapshot?: ModelSnapshot;
  inputNames?: string[];
  outputNames?: string[];
}

export interface Trained {
  type: "trained";
  snapshot: ModelSnapshot;
  weightsHash: string;
  metrics: Metrics;
  steps: number;
  swaps: number;
  ms: number;
  stopped: boolean;
}

export interface Discovered {
  type: "circuit";
  kept: Uint8Array[];
  circuitHash: string;
  /** The discovery metric, and (ACDC) the circuit's value of it on the training split. */
  metric: string;
  metricValue?: number;
  /** Held-out scores (src/circuits/score.ts). */
  scores: Partial<CircuitScores>;
  /** The circuit file's text (serializeCircuit), for the download link. */
  file: string;
}

/** ACDC visits receivers from the outputs back; `done` of `total` visited. */
export interface DiscoverProgress {
  type: "discovering";
  done: number;
  total: number;
}

/** The trained model's file text (serializeModel), for the download link; follows "trained". */
export interface ModelFile {
  type: "model-file";
  text: string;
}

export type FromWorker = TrainProgress | Trained | ModelFile | DiscoverProgress | Discovered |
  { type: "error"; message: string };
