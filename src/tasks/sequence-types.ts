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
  /**
   * The task's corrupted inputs for circuit discovery (resample ablation), shaped like x: induction
   * re-draws the segment's first occurrence and keeps the copy.
   */
  corrupted?: Int32Array | Float32Array;
  /**
   * Where a repeated segment sits in each sequence (induction), for the attention-score checks:
   * the segment starts at first[i], its copy at copy[i], both length[i] tokens long. Positions count in
   * the whole sequence (inputs 0 … ctx−1, then the last target at ctx), so a copy may end at ctx.
   */
  repeat?: { first: Int32Array; copy: Int32Array; length: Int32Array };
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
  /**
   * Regression: only outputs 0 … lossOutputs−1 enter the loss and the metric (default: all outDim).
   * icl-regression reads y from output 0 of its 2-wide readout, as the BIMT reference does.
   */
  lossOutputs?: number;
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
