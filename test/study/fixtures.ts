// Hand-made study records: every field typed, the values a test cares about set by name.
import type { CircuitPoint } from "../../src/circuits/discover-sweep.ts";
import { getTask } from "../../src/tasks/index.ts";
import { seqTasks } from "../../src/tasks/sequence/index.ts";
import type { Mode } from "../../src/train/modes.ts";
import { RUN_FORMAT, STUDY_VERSION, type RunRecord } from "../../src/study/types.ts";

export interface FakeValues {
  test?: number;
  trainMs?: number;
  faithfulness?: number;
  edges?: number;
  discoveryMs?: number;
  area?: number;
  /** null: the circuit connects no input, so it claims no input→output pair. */
  precision?: number | null;
  modularity?: number;
}

export function fakeRun(mode: Mode, seed: number, v: FakeValues = {}, task = "two-moons"): RunRecord {
  const kind = task === "two-moons" ? "classification" : "regression";
  const point = (edges: number): CircuitPoint => ({
    tau: 1e-3, edges, totalEdges: 480, sparsity: 1 - edges / 480, neurons: 10, totalNeurons: 44,
    faithfulness: v.faithfulness ?? 1e-3, faithfulnessMetric: kind === "classification" ? "kl" : "mse",
    task: { metric: kind === "classification" ? "accuracy" : "mse", circuit: 0.9, full: 0.95 }, modularity: v.modularity ?? 0.3,
    ms: v.discoveryMs ?? 5, evaluations: 100, circuitHash: "0123456789abcdef",
    ...(v.precision !== undefined ? { groundTruth: { precision: v.precision, recall: 1 } } : {}),
  });
  const method = (name: "acdc" | "eap" | "eap-acdc") => ({ method: name, metric: "kl" as const,
    atDefault: point(v.edges ?? 40), sweep: { points: [point(v.edges ?? 40)], area: v.area ?? 1e-2 } });
  return {
    format: RUN_FORMAT, version: STUDY_VERSION, run: 1, task, kind, mode, seed, stepScale: 1,
    settings: getTask(task).settings,
    discovery: { ablation: "resample", tau: 1e-3, grid: [1e-3], fraction: 0.1, examples: 1000 },
    train: {
      metric: kind === "classification" ? "accuracy" : "mse", test: v.test ?? 0.99, train: 1, cost: 1, wireLength: 0.1,
      steps: 100, swaps: 0, wallMs: v.trainMs ?? 1000, stepsPerSecond: 100, wasmBytes: 2 ** 20,
      wasmPeakInUse: 2 ** 19, modelHash: "0123456789abcdef",
      curves: { step: [0], loss: [1], cost: [1], lambda: [0], testStep: [], test: [] },
    },
    methods: { acdc: method("acdc"), eap: method("eap"), "eap-acdc": method("eap-acdc") },
    inference: { examples: 200, repetitions: 1, denseSamplesPerSecond: 1e6, circuitSamplesPerSecond: 2e6,
      circuitEdges: 40 },
  };
}

export interface FakeTxValues extends FakeValues {
  /** Induction: the previous-token → induction-head K-composition edge is kept. */
  kComposition?: boolean;
}

/** A transformer task's record: family, sequence settings, head ground truth, no sparse-circuit inference. */
export function fakeTxRun(mode: Mode, seed: number, v: FakeTxValues = {}, task = "induction"): RunRecord {
  const base = fakeRun(mode, seed, v, task === "icl-regression" ? "symbolic-sharing" : "two-moons");
  const truth = task === "induction" ? { groundTruth: { precision: v.precision ?? 1, recall: 1,
    kComposition: v.kComposition ?? true, inductionToOutput: true } } : {};
  const point = (p: RunRecord["methods"]["acdc"]["atDefault"]) => {
    const { neurons: _n, totalNeurons: _t, groundTruth: _g, ...rest } = p as typeof p & { totalNeurons?: number };
    return { ...rest, totalEdges: 81, nodes: 3, heads: ["0.1", "1.2"], nearTies: 0, ...truth };
  };
  const method = (m: RunRecord["methods"]["acdc"]) => ({ ...m, atDefault: point(m.atDefault),
    sweep: { points: m.sweep.points.map(point), area: m.sweep.area } });
  const methods = { acdc: method(base.methods.acdc), eap: method(base.methods.eap), "eap-acdc": method(base.methods["eap-acdc"]) };
  return { ...base, task, family: "transformer", settings: seqTasks[task].settings, methods,
    inference: { examples: 200, repetitions: 1, denseSamplesPerSecond: 5e3 } };
}
