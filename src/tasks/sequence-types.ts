// What a sequence task is (transformers): seeded sequences, the positions the loss and the metric
// count, and the reference training settings. The MLP tasks' types are in types.ts.
import type { Engine } from "../engine/engine.ts";
import type { TransformerSpec } from "../model/transformer-spec.ts";
import type { LambdaPhase, TaskKind } from "./types.ts";

export interface SeqSplit {
  /** Number of sequences. */
  n: number;
  /** Token ids n × ctx (i32), or vectors n × ctx × inDim (f32). */
  x: Int32Array | Float32Array;
  /** Classification: next-token ids n × ctx (i32). Regression: targets n × ctx × outDim (f32). */
  y: Int32Array | Float32Array;
  /** n × ctx: 1 where the loss and the metric count that position, else 0. */
  mask: Uint8Array;
}

export interface SeqDataset {
  kind: TaskKind;
  ctx: number;
  /** Token input: the vocabulary. */
  vocab?: number;
  /** Vector input: features per position. */
  inDim?: number;
  /** Outputs per position (vocab size for next-token tasks). */
  outDim: number;
  train: SeqSplit;
  test: SeqSplit;
  /** Readable tokens (a character tokenizer's alphabet), for sampling and pictures. */
  tokenNames?: string[];
}

export interface SeqTrainSettings {
  model: TransformerSpec;
  loss: "ce" | "mse";
  steps: number;
  lr: number;
  /** AdamW's decoupled weight decay (0 in the BIMT reference). */
  weightDecay: number;
  batch: number;
  lambda: LambdaPhase[];
  /** A (weight_factor): scales in-map distance in the connection cost. */
  weightFactor: number;
  /** Distance between a map's input and output layers. */
  l0: number;
  swapEvery: number;
  topK: number;
}

export interface SeqTask {
  family: "transformer";
  name: string;
  description: string;
  settings: SeqTrainSettings;
  /** Builds the seeded dataset. Same seed, same bits on every runtime. */
  make(engine: Engine, seed: number): SeqDataset | Promise<SeqDataset>;
}
