// One entry to every discovery method (docs/discovery.md): ACDC, neuron-level ACDC, EAP, EAP-IG and
// EAP→ACDC on a trained model, each returning a versioned circuit scored on held-out data. The
// algorithms live in their own modules; this file only picks one, times it and scores what it found.
import { fnv1a64 } from "../model/io.ts";
import type { Mlp } from "../model/mlp.ts";
import { Rng } from "../engine/random.ts";
import type { Dataset, Split, TaskKind } from "../tasks/types.ts";
import { checkAblation } from "./ablation.ts";
import { acdc, type AcdcResult } from "./acdc.ts";
import type { acdcNaive } from "./acdc-naive.ts";
import { acdcNodes } from "./acdc-nodes.ts";
import type { AblatedNetwork } from "./forward-cache.ts";
import { makeCircuit, type Circuit, type CircuitSettings } from "./circuit-io.ts";
import { eap, eapCandidates, eapIg, selectThreshold, selectTopK } from "./eap.ts";
import { checkMetricName } from "./metrics.ts";
import { scoreCircuit } from "./score.ts";
import type { Ablation, DiscoveryData, EdgeMask, EdgeScores, Method, MetricName } from "./types.ts";

export const METHODS: readonly Method[] = ["acdc", "acdc-nodes", "eap", "eap-ig", "eap-acdc"];

/**
 * Default τ per discovery metric (our choice, see README): KL and NLL change on the same scale (KL to the
 * full model is the rise in cross-entropy when the model fits), MSE and the logit margin on a larger one.
 */
export const METRIC_TAU: Record<MetricName, number> = { kl: 1e-3, nll: 1e-3, mse: 1e-2, "logit-diff": 1e-2 };

/** Default τ per task kind: that of the kind's default metric (KL for classification, MSE for regression). */
export const DEFAULT_TAU: Record<TaskKind, number> = { classification: METRIC_TAU.kl, regression: METRIC_TAU.mse };

/** The order ACDC visits edges in, recorded in every circuit (acdc.ts documents it). */
const ACDC_ORDER = "receivers from the outputs back, slots ascending; senders ascending";
const EAP_ORDER = "all edges at once, ranked by |score|";

export interface DiscoverOptions {
  method?: Method;
  /** ACDC's per-edge tolerance; EAP's |score| threshold (when topK is not given). Default METRIC_TAU[metric]. */
  tau?: number;
  ablation?: Ablation;
  /** Default kl (classification) or mse (regression); EAP needs a gradient: nll or mse by default. */
  metric?: MetricName;
  /** Original output indices the metric is restricted to (one output's circuit). */
  outputs?: number[];
  /** EAP: keep the k highest |score| edges instead of a threshold. */
  topK?: number;
  /** EAP→ACDC: the fraction of edges, by EAP rank, that ACDC tests (default 0.1). */
  fraction?: number;
  /** EAP-IG interpolation points (default 5). */
  steps?: number;
  /** Seeds the corrupted pairing (default 0). */
  seed?: number;
  /** The task's per-output true input sets (Task.groundTruth), for ground-truth scores. */
  truth?: number[][];
  /** Examples used for discovery (default all of the training split, at most 1,000). */
  examples?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * A metric of the caller's (the library's metric function) measured on the pruned network: ACDC then
   * runs the naive way (`run`: acdc-naive.ts's acdcNaive, one forward pass per edge test, handed in so
   * that reference stays out of bundles that never use it) and the circuit's metric is "custom".
   */
  custom?: { measure: (net: AblatedNetwork) => number; run: typeof acdcNaive };
}

export interface Discovery {
  circuit: Circuit;
  mask: EdgeMask;
  circuitHash: string;
  metric: MetricName | "custom";
  /** ACDC: the metric of the final circuit on the discovery examples. */
  metricValue?: number;
  evaluations: number;
  ms: number;
}

/**
 * Discovery examples from a split: the clean inputs, and as corrupted inputs (resample ablation) the
 * same split in a seeded shuffled order, so example k is paired with example order[k] (docs/study.md).
 */
export function discoveryData(split: Split, kind: TaskKind, seed: number, limit = split.n): DiscoveryData {
  const n = Math.min(split.n, limit);
  const width = split.x.length / Math.max(1, split.n);
  const x = split.x.subarray(0, n * width);
  const order = new Rng(seed).permutation(n);
  const corrupted = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
  for (let r = 0; r < n; r++) corrupted.set(x.subarray(order[r] * width, (order[r] + 1) * width), r * width);
  const data: DiscoveryData = { n, clean: x, corrupted };
  if (kind === "classification") data.labels = (split.y as Int32Array).subarray(0, n);
  else data.targets = (split.y as Float32Array).subarray(0, (split.y.length / Math.max(1, split.n)) * n);
  return data;
}

/** Runs one discovery method on the training split and scores its circuit on the held-out split. */
export function discover(model: Mlp, data: Dataset, o: DiscoverOptions = {}): Discovery {
  if (data.train.n < 1) throw new Error("discovery: the dataset has no training examples");
  const seed = o.seed ?? 0;
  const found = discoveryData(data.train, data.kind, seed, o.examples ?? 1000);
  const heldOutSplit = data.test.n > 0 ? data.test : data.train;
  return discoverOn(model, found, discoveryData(heldOutSplit, data.kind, seed + 1), data.kind, o);
}

/**
 * Runs one discovery method on `found` and scores its circuit on `heldOut` (discover() passes the two
 * splits; a caller with its own clean/corrupted pairs passes them for both).
 */
export function discoverOn(model: Mlp, found: DiscoveryData, heldOut: DiscoveryData, kind: TaskKind,
  o: DiscoverOptions = {}): Discovery {
  const method = checkMethod(o.method ?? "acdc");
  const ablation = checkAblation(o.ablation ?? "resample");
  const seed = o.seed ?? 0;
  const usesEap = method === "eap" || method === "eap-ig";
  if (o.custom && method !== "acdc") throw new Error(`a metric function runs with acdc, not ${method}`);
  if (o.custom && o.tau === undefined) throw new Error("a metric function needs its τ");
  // The kernel metric of a custom run is a stand-in (the network needs one); the decisions use `measure`.
  const kernelMetric = checkMetricName(o.custom ? "mse" : o.metric ?? defaultMetric(kind, usesEap));
  const metric = o.custom ? "custom" : kernelMetric;
  const tau = o.tau ?? (o.topK === undefined || !usesEap ? METRIC_TAU[kernelMetric] : undefined);

  const t0 = performance.now();
  let mask: EdgeMask;
  let effects: EdgeScores;
  let evaluations = 0;
  let metricValue: number | undefined;
  const settings: CircuitSettings = { method, ablation, metric, order: usesEap ? EAP_ORDER : ACDC_ORDER, seed };
  if (o.outputs) settings.outputs = o.outputs;
  if (method === "acdc" || method === "acdc-nodes" || method === "eap-acdc") {
    const acdcOpts = { tau: tau!, ablation, metric: kernelMetric, outputs: o.outputs, onProgress: o.onProgress,
      signal: o.signal };
    let r: AcdcResult;
    if (o.custom) {
      r = o.custom.run(model, found, acdcOpts, o.custom.measure);
    } else if (method === "eap-acdc") {
      // EAP ranks with a gradient metric (KL's gradient is zero at the clean point), then ACDC decides.
      const fraction = o.fraction ?? 0.1;
      const scores = eap(model, found, { ablation, metric: defaultMetric(kind, true), outputs: o.outputs });
      r = acdc(model, found, { ...acdcOpts, candidates: eapCandidates(scores, fraction) });
      settings.fraction = fraction;
    } else {
      r = (method === "acdc" ? acdc : acdcNodes)(model, found, acdcOpts);
    }
    ({ mask, effects, evaluations, metricValue } = r);
    settings.tau = tau;
  } else {
    const steps = o.steps ?? 5;
    const eapOpts = { ablation, metric: kernelMetric, outputs: o.outputs };
    effects = method === "eap" ? eap(model, found, eapOpts) : eapIg(model, found, { ...eapOpts, steps });
    if (method === "eap-ig") settings.steps = steps;
    if (o.topK !== undefined) {
      mask = selectTopK(effects, o.topK);
      settings.topK = o.topK;
    } else {
      mask = selectThreshold(effects, tau!);
      settings.tau = tau;
    }
    effects = effects.map((s, l) => s.map((v, i) => (mask[l][i] ? v : 0)));
  }
  const ms = performance.now() - t0;

  const scores = scoreCircuit(model, mask, heldOut, {
    ablation,
    kind,
    outputs: o.outputs,
    truth: o.truth,
    timeMs: ms,
    evaluations,
  });
  const circuit = makeCircuit(model, mask, effects, settings, scores);
  return { circuit, mask, circuitHash: circuitHash(circuit), metric, metricValue, evaluations, ms };
}

/**
 * FNV-1a 64 of what a circuit is: its model's hash, and each kept edge (layer, to, from as u32) with its
 * effect size's f32 bits, little-endian, in the circuit's edge order. Scores and timings are left out.
 */
export function circuitHash(c: Circuit): string {
  const head = new TextEncoder().encode(`${c.modelHash};${c.shape.join(",")};`);
  const bytes = new Uint8Array(head.length + 16 * c.edges.length);
  bytes.set(head);
  const view = new DataView(bytes.buffer);
  let at = head.length;
  for (const e of c.edges) {
    view.setUint32(at, e.layer, true);
    view.setUint32(at + 4, e.to, true);
    view.setUint32(at + 8, e.from, true);
    view.setFloat32(at + 12, e.effect, true);
    at += 16;
  }
  return fnv1a64(bytes);
}

export function checkMethod(method: unknown): Method {
  if (typeof method === "string" && (METHODS as readonly string[]).includes(method)) return method as Method;
  throw new Error(`unknown discovery method "${String(method)}": choose one of ${METHODS.join(", ")}`);
}

/** kl (classification) or mse (regression); with a gradient (EAP), nll instead of kl. */
export function defaultMetric(kind: TaskKind, gradient: boolean): MetricName {
  if (kind === "regression") return "mse";
  return gradient ? "nll" : "kl";
}
