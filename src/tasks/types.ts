// What a task is: seeded data plus the reference training settings of docs/data.md.
import type { Engine } from "../engine/engine.ts";
import type { ModelSpec } from "../model/spec.ts";

export type TaskKind = "regression" | "classification";

/** How the task loss is computed: MSE on targets, softmax cross-entropy, or MSE on one-hot labels (MNIST). */
export type LossKind = "mse" | "ce" | "mse-onehot";

export interface Split {
  /** Number of examples. */
  n: number;
  /** n × inputDim features in original order (f32), or n × inFold token ids (i32) for embedding tasks. */
  x: Float32Array | Int32Array;
  /** Regression: n × outputDim targets (f32). Classification: n class labels (i32). */
  y: Float32Array | Int32Array;
}

export interface Dataset {
  kind: TaskKind;
  /** Features per example (token tasks: tokens per example). */
  inputDim: number;
  /** Regression targets per example, or number of classes. */
  outputDim: number;
  /** Vocabulary size when inputs are token ids. */
  tokens?: number;
  train: Split;
  test: Split;
  inputNames?: string[];
  outputNames?: string[];
}

/** Piecewise-constant λ: value applies from step `from` (inclusive) until the next entry. */
export interface LambdaPhase {
  from: number;
  value: number;
}

export interface TrainSettings {
  model: ModelSpec;
  loss: LossKind;
  steps: number;
  lr: number;
  lambda: LambdaPhase[];
  /** A (weight_factor): scales in-layer distance in the connection cost. */
  weightFactor: number;
  /** A used to score swaps when it differs from the loss's (S4: 2 while the loss uses 1). */
  swapWeightFactor?: number;
  /** Distance between adjacent layers. */
  l0: number;
  costForm: "sum" | "mean";
  /** The last weight layer is not distance-penalised (A = 0 there; MNIST). */
  lastLayerNoDistance: boolean;
  swapEvery: number;
  topK: number;
  /** Full batch when undefined. */
  batch?: number;
  /** Fraction of training after which biases are penalised; undefined = never. Symbolic tasks: 0.75. */
  biasPenaltyFrom?: number;
  /** Whether input neurons may be swapped (never for image inputs). */
  swapInputs: boolean;
}

export interface Task {
  name: string;
  description: string;
  settings: TrainSettings;
  /** Per output (original order), the set of original input indices it depends on (symbolic tasks). */
  groundTruth?: number[][];
  /** Builds the seeded dataset. Same seed, same bits on every runtime. */
  make(engine: Engine, seed: number): Dataset | Promise<Dataset>;
}
