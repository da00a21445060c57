// brainwire/circuits: circuit discovery on a model in WASM memory (src/circuits): every method, ACDC at
// kernel speed, EAP, scoring, circuit files. The root export's discover() runs these with every option
// checked; this is for calling the algorithms yourself.
export {
  checkMethod,
  circuitHash,
  DEFAULT_TAU,
  discover,
  discoverOn,
  discoveryData,
  METHODS,
  METRIC_TAU,
  type DiscoverOptions,
  type Discovery,
} from "../circuits/discover.ts";
export { acdc, type AcdcOptions, type AcdcResult } from "../circuits/acdc.ts";
export { checkAblation } from "../circuits/ablation.ts";
export { checkMetricName } from "../circuits/metrics.ts";
export { acdcNodes } from "../circuits/acdc-nodes.ts";
export { eap, eapCandidates, eapIg, selectThreshold, selectTopK, type EapIgOptions, type EapOptions } from "../circuits/eap.ts";
export { scoreCircuit, type CircuitScores, type ScoreOptions } from "../circuits/score.ts";
export { edgeName } from "../circuits/graph.ts";
export {
  circuitMask,
  CircuitFormatError,
  makeCircuit,
  parseCircuit,
  serializeCircuit,
  validateCircuit,
  type Circuit,
  type CircuitSettings,
} from "../circuits/circuit-io.ts";
export {
  ABLATIONS,
  METRICS,
  type Ablation,
  type DiscoveryData,
  type EdgeMask,
  type EdgeScores,
  type KeptEdge,
  type Method,
  type MetricName,
} from "../circuits/types.ts";
