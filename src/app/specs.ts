// The run specs: what a run is, resolved from any face's raw input (resolve-*.ts), typed, validated and
// plain JSON (they survive JSON.stringify and structuredClone, so a job queue can carry them), with
// every default filled in. One per run kind and family; a family adds its members to these unions
// (families.ts says how).
import type { Circuit } from "../circuits/circuit-io.ts";
import type { TxCircuit } from "../circuits/transformer/circuit-file.ts";
import type { TxSweepSummary } from "../circuits/transformer/discover.ts";
import type { Granularity } from "../circuits/transformer/graph.ts";
import type { SweepSummary } from "../circuits/discover-sweep.ts";
import type { Ablation, Method, MetricName } from "../circuits/types.ts";
import type { ModelSnapshot } from "../model/spec.ts";
import type { TransformerSnapshot } from "../model/transformer-io.ts";
import type { RunRecord } from "../study/types.ts";
import type { TrainSettings } from "../tasks/types.ts";
import type { Mode } from "../train/modes.ts";
import type { Curves, Metrics, Progress } from "../train/trainer.ts";
import type { DataSpec } from "./data-spec.ts";

export interface MlpTrainSpec {
  family: "mlp";
  /** A registered task, or "user" / "mnist" with `data`. */
  task: string;
  mode: Mode;
  seed: number;
  /** Every training setting, the task's reference values with the overrides applied. */
  settings: TrainSettings;
  /** Permute Adam's moments with each swap (the reference does not). */
  permuteAdam: boolean;
  data?: DataSpec;
}

export type TrainSpec = MlpTrainSpec;

/** Clean inputs and their corrupted partners, row k with row k, in the model's original input order. */
export interface Pairs {
  clean: number[][];
  corrupted: number[][];
}

/** What every family's discovery spec holds: the task's data, the method and how it selects edges. */
interface DiscoverCommon {
  /** A registered task (MLP: or "user" / "mnist" with `data`). */
  task: string;
  /** Seeds the task's data and the resample pairing. */
  seed: number;
  method: Method;
  ablation: Ablation;
  /** ACDC's tolerance or EAP's |score| threshold; absent when EAP keeps the topK edges. */
  tau?: number;
  topK?: number;
  /** EAP→ACDC: the fraction of edges, by EAP rank, that ACDC tests. */
  fraction?: number;
  /** EAP-IG: interpolation points. */
  igSteps?: number;
  /** Training examples (transformers: sequences) discovery runs on, at most. */
  examples: number;
  /** Original output indices the metric is restricted to (transformers: default the task's loss outputs). */
  outputs?: number[];
  /** Discover on these pairs instead of the task's training split (and score on them: not held out). */
  pairs?: Pairs;
  /** Also sweep τ over this grid (ascending). */
  sweep?: number[];
}

export interface MlpDiscoverSpec extends DiscoverCommon {
  family: "mlp";
  model: ModelSnapshot;
  data?: DataSpec;
  /** "custom": the caller's metric function (RunContext.metric; the library only). */
  metric: MetricName | "custom";
}

/** Discovery on a transformer's circuit graph (src/circuits/transformer); pairs are token ids or T·inDim numbers per row. */
export interface TransformerDiscoverSpec extends DiscoverCommon {
  family: "transformer";
  model: TransformerSnapshot;
  metric: MetricName;
  /** Positions the metric scores (default: all the task scores). */
  positions?: number[];
  /** component (one edge per sender → receiver), position (one per position), fine (residual dimensions, MLP neurons). */
  granularity: Granularity;
}

export type DiscoverSpec = MlpDiscoverSpec | TransformerDiscoverSpec;

/** One run of the study (src/study): train, discover with every study method, time inference. */
export interface MlpStudyRunSpec {
  family: "mlp";
  task: string;
  mode: Mode;
  seed: number;
  /** The settings trained with (the task's, every schedule step scaled by stepScale). */
  settings: TrainSettings;
  stepScale: number;
  discovery: { ablation: Ablation; tau: number; grid: number[]; fraction: number; examples: number };
  inference: { repetitions: number; minMs: number };
  /** 1-based position in the study's plan, and the plan's size. */
  run: number;
  runs: number;
  /** Keep the trained model and its ACDC circuit in the record (the study's first seed, for pictures). */
  keepModel: boolean;
}

export type StudyRunSpec = MlpStudyRunSpec;

/** What a training run gives back: plain data. */
export interface TrainResult {
  family: "mlp";
  model: ModelSnapshot;
  weightsHash: string;
  metrics: Metrics;
  curves: Curves;
  steps: number;
  swaps: number;
  aborted: boolean;
  wallMs: number;
  stepsPerSecond: number;
  /** WASM linear memory at the end, and the most bytes in use at once. */
  wasmBytes: number;
  wasmPeakInUse: number;
}

export type DiscoverResult = MlpDiscoverResult | TransformerDiscoverResult;

export interface MlpDiscoverResult {
  family: "mlp";
  circuit: Circuit;
  circuitHash: string;
  edges: number;
  totalEdges: number;
  metric: MetricName | "custom";
  /** ACDC: the circuit's metric on the discovery examples. */
  metricValue?: number;
  evaluations: number;
  ms: number;
  /** Whether circuit.scores were measured on held-out data (else on the discovery data itself). */
  heldOut: boolean;
  sweep?: SweepSummary;
}

export interface TransformerDiscoverResult {
  family: "transformer";
  circuit: TxCircuit;
  circuitHash: string;
  edges: number;
  totalEdges: number;
  metric: MetricName;
  metricValue?: number;
  evaluations: number;
  /** ACDC tests whose Δ lay within a relative 1e-6 of τ (where another rounding could flip a decision). */
  nearTies: number;
  ms: number;
  heldOut: boolean;
  sweep?: TxSweepSummary;
}

export type StudyRunResult = RunRecord;

/** The training loop's progress (step, loss, cost, λ, swaps, test), as plain data. */
export interface TrainProgress extends Progress {
  phase: "train";
  /** The model so far, when the caller asked for it (RunContext.modelEveryMs), and the names to draw it with. */
  model?: ModelSnapshot;
  inputNames?: string[];
  outputNames?: string[];
}

export interface DiscoverProgress {
  phase: "discover";
  /** Receivers (ACDC) or τ points (sweep) done, of total. */
  done: number;
  total: number;
}

export interface StudyRunProgress {
  phase: "train" | "discover" | "infer";
  done?: number;
  total?: number;
}

/** A run as a message: what the jobs layer carries to a worker. */
export type RunRequest =
  | { kind: "train"; spec: TrainSpec }
  | { kind: "discover"; spec: DiscoverSpec }
  | { kind: "study-run"; spec: StudyRunSpec };
