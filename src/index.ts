// The public API for embedding brainwire in other apps (the package's root export): train, discover,
// score and predict, model and circuit files, pictures, and the names and types they use. Everything
// takes and returns plain data and never touches fs, process or the network, so it runs unchanged on
// Node, Deno, Bun and in browsers (main thread or worker). The layers below are subpath exports:
// brainwire/app (run specs, for job runners), brainwire/engine, brainwire/model, brainwire/tasks,
// brainwire/train, brainwire/circuits, brainwire/study, brainwire/viz (src/exports/).
import { VERSION } from "./app/version.ts";

export { VERSION };
export { UserError } from "./app/user-error.ts";
export {
  discover,
  draw,
  load,
  loadCircuit,
  predict,
  save,
  saveCircuit,
  score,
  train,
  type DataOptions,
  type DiscoverOptions,
  type Discovered,
  type DrawOptions,
  type MetricFunction,
  type ScoreOptions,
  type TaskName,
  type TrainOptions,
} from "./library.ts";
export type { DiscoverProgress, DiscoverResult, TrainProgress, TrainResult } from "./app/specs.ts";

// The names a caller chooses from.
export { MODES, type Mode } from "./train/modes.ts";
export { METHODS, DEFAULT_TAU, METRIC_TAU } from "./circuits/discover.ts";
export { ABLATIONS, METRICS, type Ablation, type EdgeMask, type KeptEdge, type Method, type MetricName }
  from "./circuits/types.ts";
export { taskNames as TASKS } from "./tasks/index.ts";
/** The tasks that train in seconds: what the page and the quick runtime checks offer. */
export { FAST_TASKS } from "./tasks/fast.ts";

// The data a caller holds.
export type { ModelSnapshot, ModelSpec } from "./model/spec.ts";
export type { Circuit, CircuitSettings } from "./circuits/circuit-io.ts";
export type { CircuitScores } from "./circuits/score.ts";
export type { Curves, Metrics } from "./train/trainer.ts";
export type { LambdaPhase, TrainSettings } from "./tasks/types.ts";

// Kept from before the root export was made small (the page uses them): the lower-level names of
// draw() and save(), and the task lookup.
export { drawNetwork, WEIGHT_COLORS, type DrawNetworkOptions } from "./viz/network-svg.ts";
export { drawCurves } from "./viz/curves-svg.ts";
export { serializeModel } from "./model/io.ts";
export { getTask } from "./tasks/index.ts";
export { train as trainModel, discover as discoverModel } from "./library.ts";
