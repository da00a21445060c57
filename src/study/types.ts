// The study's records (docs/study.md): plain JSON data, one per task × mode × seed run, written as
// soon as the run ends. A record carries everything needed to repeat its run: seed, the exact
// settings trained with, the discovery settings, and (in the study file) engine, runtime and machine.
import type { Circuit } from "../circuits/circuit-io.ts";
import type { Ablation, MetricName } from "../circuits/types.ts";
import type { ModelSnapshot } from "../model/spec.ts";
import type { TransformerSnapshot } from "../model/transformer-io.ts";
import type { SeqTrainSettings } from "../tasks/sequence-types.ts";
import type { TaskKind, TrainSettings } from "../tasks/types.ts";
import type { Mode } from "../train/modes.ts";
import type { Curves } from "../train/trainer.ts";

export const RUN_FORMAT = "brainwire.study-run";
export const STUDY_FORMAT = "brainwire.study";
export const STUDY_VERSION = 1;

/**
 * The discovery methods every run compares, in this order. EAP keeps the top-k edges by |score| with
 * k = the edges ACDC kept at the same τ, so the two are compared at equal circuit size along the whole
 * sweep. (A threshold on |score| would keep nothing on our tasks: EAP's first-order estimate of the
 * change in MSE or NLL is near zero for a model that fits its data, whatever the edge.)
 */
export const STUDY_METHODS = ["acdc", "eap", "eap-acdc"] as const;
export type StudyMethod = (typeof STUDY_METHODS)[number];

export interface StudyConfig {
  tasks: string[];
  modes: Mode[];
  seeds: number[];
  /** Every schedule step number (steps, λ phase starts, swap period) is scaled by this; 1 = reference. */
  stepScale: number;
  /** τ values of the sweep, ascending. */
  grid: number[];
  ablation: Ablation;
  /** EAP→ACDC: the fraction of edges, by EAP rank, that ACDC tests. */
  fraction: number;
  /** Training examples discovery uses (at most). */
  examples: number;
  /** Inference timing: repetitions (the median is kept) of at least minMs each. */
  inference: { repetitions: number; minMs: number };
}

export interface TrainRecord {
  metric: "accuracy" | "mse";
  test: number;
  train: number;
  cost: number;
  wireLength: number;
  steps: number;
  swaps: number;
  wallMs: number;
  stepsPerSecond: number;
  /** The run's own engine: WASM linear memory at the end, and the most bytes in use at once. */
  wasmBytes: number;
  wasmPeakInUse: number;
  /** Peak JS heap seen during training, when the runtime can tell (the CLI passes it in). */
  jsHeapPeak?: number;
  modelHash: string;
  curves: Curves;
}

/**
 * What the study reads of one discovered circuit: the fields the MLP's CircuitPoint
 * (circuits/discover-sweep.ts) and the transformer's TxCircuitPoint (circuits/transformer) share,
 * and the few each adds.
 */
export interface StudyPoint {
  tau?: number;
  topK?: number;
  edges: number;
  totalEdges: number;
  sparsity: number;
  /** MLP: neurons still connected. */
  neurons?: number;
  /** Transformer: heads and MLPs on some embed → resid_post path of kept edges, and those heads. */
  nodes?: number;
  heads?: string[];
  faithfulness: number;
  faithfulnessMetric: "kl" | "mse";
  task: { metric: "accuracy" | "mse"; circuit: number; full: number };
  modularity: number;
  ms: number;
  evaluations: number;
  /** Transformer ACDC: tests whose Δ lay within a hair of τ (where another rounding could flip a decision). */
  nearTies?: number;
  circuitHash: string;
  /** MLP symbolic tasks: per original output, the original inputs its own circuit reaches. */
  found?: number[][];
  /**
   * MLP symbolic tasks: precision/recall of the inputs each output's circuit reaches. Induction:
   * precision/recall of the circuit's heads against the attention-score heads, and whether the
   * previous-token → induction-head K-composition edge and the induction head → resid_post edge are kept.
   */
  groundTruth?: { precision: number | null; recall: number; kComposition?: boolean; inductionToOutput?: boolean };
}

export interface StudySweep {
  points: StudyPoint[];
  /** Normalised area under faithfulness vs edge fraction (lower = more discoverable). */
  area: number;
  /** MLP symbolic tasks: ROC AUC of the per-output circuits over the sweep. */
  auc?: number;
}

export interface MethodRecord {
  method: StudyMethod;
  metric: MetricName;
  /** The circuit at the task's default τ. */
  atDefault: StudyPoint;
  sweep: StudySweep;
}

/** A transformer circuit as the report draws it: its kept edges by name (circuit files, version 2). */
export interface TransformerCircuitRecord {
  kind: "transformer";
  modelHash: string;
  scores: Partial<StudyPoint> & Record<string, unknown>;
  edges: { name: string; effect?: number }[];
}

/** Attention patterns of the circuit's heads, for the heatmaps (first seed of a transformer task). */
export interface AttentionRecord {
  /** A held-out sequence's index, or "mean" over the first `examples` held-out sequences. */
  example: number | "mean";
  examples: number;
  T: number;
  /** The example's tokens (token models, one example). */
  tokens?: string[];
  /** Positions to mark (induction: the segment and its copy). */
  marks?: { from: number; to: number; label: string }[];
  /** Row-major (T, T) per head, rounded to 4 decimals (pictures only). */
  heads: { head: string; probs: number[]; note?: string }[];
}

export interface InferenceRecord {
  /** Held-out examples (transformers: sequences) per timed pass. */
  examples: number;
  repetitions: number;
  denseSamplesPerSecond: number;
  /** The ACDC circuit at the default τ, run as a sparse CSR network (MLPs; transformers have no sparse runner). */
  circuitSamplesPerSecond?: number;
  circuitEdges?: number;
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: typeof STUDY_VERSION;
  /** 1-based position in the study's plan. */
  run: number;
  task: string;
  /** The model family; absent in records written before transformers joined the study (MLP). */
  family?: "mlp" | "transformer";
  kind: TaskKind;
  mode: Mode;
  seed: number;
  stepScale: number;
  /** The settings trained with (after step scaling). */
  settings: TrainSettings | SeqTrainSettings;
  discovery: { ablation: Ablation; tau: number; grid: number[]; fraction: number; examples: number };
  train: TrainRecord;
  methods: Record<StudyMethod, MethodRecord>;
  inference: InferenceRecord;
  /** First seed only, for the pictures: the trained model and its ACDC circuit at the default τ. */
  model?: ModelSnapshot | TransformerSnapshot;
  circuit?: Circuit | TransformerCircuitRecord;
  /** First seed of a transformer task: what the circuit's heads attend to. */
  attention?: AttentionRecord;
}

/** Versions and machine, passed in by the face that runs the study (the core cannot read them). */
export interface Environment {
  brainwire: string;
  /** FNV-1a 64 of the WASM module's bytes: which kernels ran. */
  wasm: string;
  runtime: string;
  platform?: string;
  cpu?: string;
  cores?: number;
  memoryBytes?: number;
  date?: string;
  command?: string;
}

export type Phase = "train" | "discover" | "infer";

export interface StudyProgress {
  /** 1-based run index and the number of runs planned. */
  run: number;
  runs: number;
  task: string;
  mode: Mode;
  seed: number;
  phase: Phase;
  /** Within the phase, when it reports it. */
  done?: number;
  total?: number;
}
