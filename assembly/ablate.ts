// Kernel family 'ablate': the edge-ablation forward passes of ACDC (docs/discovery.md) and the
// discovery metrics, one file per concern:
//   ablate-plan.ts        the plan (layout, limits, metric ids), the senders' delta lists, the refresh helper
//   ablate-metrics.ts     per-example metric terms, and kl relative to a visit's base outputs
//   ablate-downstream.ts  the shared machinery: downstream of one changed neuron, per example
//   ablate-edges.ts       edge-level ACDC: one call per receiver
//   ablate-nodes.ts       neuron-level ACDC: one call per tested neuron, and its commit
// Host signatures: src/engine/abi/circuits.ts; the host side (plan set-up, refreshes, order, decisions'
// bookkeeping) is src/circuits/acdc.ts, acdc-nodes.ts and forward-cache.ts; the naive references these
// must agree with are in src/circuits/acdc-naive.ts.
// the plan's layout, limits and metric ids are exported as constants for the host's check
export {
  METRIC_KL, METRIC_MSE, METRIC_LOGIT_DIFF, METRIC_NLL, ABLATE_MAX_DEPTH, PLAN_DEPTH, PLAN_N, PLAN_METRIC,
  PLAN_COUNT, PLAN_D_OUT, PLAN_N_S, PLAN_IN_S, PLAN_LABEL, PLAN_Y_FULL, PLAN_P_FULL, PLAN_P_REST, PLAN_TERMS,
  PLAN_SCRATCH, PLAN_LIST_START, PLAN_LIST_IDX, PLAN_LIST_VAL, PLAN_LAYERS, LAYER_D_IN, LAYER_D_OUT, LAYER_W,
  LAYER_B, LAYER_MASK, LAYER_WM, LAYER_WT, LAYER_A, LAYER_A_TILDE, LAYER_Z, LAYER_WORDS, subtract,
  deltaLists,
} from "./ablate-plan";
export { metricGradient, metricSetup, metricTerms, metricTerms64 } from "./ablate-metrics";
export { ablateScratchBytes } from "./ablate-downstream";
export { acdcReceiver } from "./ablate-edges";
export { acdcNeuron, neuronCommit } from "./ablate-nodes";
