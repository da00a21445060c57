// What a run is given besides its spec: things that cannot travel in a JSON message.
import type { Engine } from "../engine/engine.ts";

export interface RunContext<P> {
  /** The engine to run on (default: a fresh one). */
  engine?: Engine;
  /** Plain-data progress, at most every progressEveryMs (default 100) and at the end of each phase. */
  onProgress?: (p: P) => void;
  progressEveryMs?: number;
  /**
   * Training: progress carries the model so far (a snapshot, with its input and output names) at most
   * every this many milliseconds, and at the last step; unset, never (a snapshot copies every weight).
   */
  modelEveryMs?: number;
  /** Milliseconds of work between two turns of the event loop (default 40; a page's worker wants ~16). */
  sliceMs?: number;
  /** Stops the run at the next step (training) or receiver (discovery); training still returns its model. */
  signal?: AbortSignal;
  /** Discovery with metric "custom": the caller's metric (in-process only; it cannot travel in a message). */
  metric?: MetricFunction;
}

/**
 * A metric given as a function: the circuit's outputs and the full model's (n × outputs, original
 * output order) to a number that is smaller when the circuit does what the model does.
 */
export type MetricFunction = (circuit: Float32Array, full: Float32Array, shape: { n: number; outputs: number }) => number;

export interface StudyRunContext extends RunContext<import("./specs.ts").StudyRunProgress> {
  /** Bytes of JS heap in use, sampled during training (Node: process.memoryUsage().heapUsed). */
  heapBytes?: () => number;
}
