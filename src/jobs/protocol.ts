// Messages between the pool (host thread) and one of its workers. Plain data only (structured clone:
// typed arrays, -0 and NaN survive, so results cross the thread boundary bit for bit).
import type { JobFailure } from "./types.ts";

/** Host → worker: run one job (a worker runs one at a time; cancelling stops the whole worker). */
export interface RunMessage {
  type: "run";
  id: number;
  kind: string;
  spec: unknown;
}

export type ToWorker = RunMessage;

export type FromWorker =
  /** Sent once the worker's script has loaded and it listens. */
  | { type: "ready" }
  /** `wasmBytes`: linear memory of the job's engine, so the host can show what a job holds. */
  | { type: "progress"; id: number; progress: unknown; wasmBytes: number }
  | { type: "done"; id: number; result: unknown }
  | { type: "failed"; id: number; failure: JobFailure };
