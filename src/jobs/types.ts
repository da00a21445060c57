// The job model's vocabulary, shared by the pool (threads), the manager (states, budgets, events) and
// the Redis transport. A job is one call of a run function from a job table: plain JSON in (the spec),
// plain JSON out (the result), progress as plain JSON on the way. Nothing here knows which runtime or
// which machine runs it.
import type { Engine } from "../engine/engine.ts";

/** What a run function gets besides its spec (the same shape as the application layer's run functions). */
export interface RunContext {
  /** A fresh engine for this job (the worker makes one per job, so no job sees another's memory). */
  engine?: Engine;
  onProgress?: (progress: unknown) => void;
  signal?: AbortSignal;
  /** Bytes of JS heap this thread uses, when the runtime can tell (Node: process.memoryUsage().heapUsed). */
  heapBytes?: () => number;
}

/** `(spec, ctx) → plain JSON result`: one per job kind. */
export type RunFunction = (spec: never, ctx: RunContext) => Promise<unknown>;

/** kind → run function. The worker script is built around one table; the host only names kinds. */
export type JobTable = Record<string, RunFunction>;

/** A failure as plain data, so it crosses a thread or a machine and keeps its kind and field. */
export interface JobFailure {
  /** The error's class name: "UserError" (bad input), "TimeoutError", "AbortError", "WorkerCrash", … */
  name: string;
  message: string;
  /** For input errors: the field at fault. */
  field?: string;
}

/** A job that failed, as the host sees it: the worker's error, rebuilt. */
export class JobError extends Error {
  override name = "JobError";
  constructor(readonly failure: JobFailure) {
    super(failure.message);
  }
}

/** Errors that say the input was wrong (the client's fault, HTTP 4xx), by class name. */
export const INPUT_ERRORS = new Set(["UserError", "ModelFormatError", "CircuitFormatError", "ZodError"]);

export function toFailure(err: unknown): JobFailure {
  if (err instanceof JobError) return err.failure;
  if (err instanceof Error) {
    const field = (err as { field?: unknown }).field;
    return { name: err.name, message: err.message, ...(typeof field === "string" ? { field } : {}) };
  }
  return { name: "Error", message: String(err) };
}

export interface RunOptions {
  onProgress?: (progress: unknown) => void;
  /** Called once, when a worker starts the job (before that it waits in a queue). */
  onStart?: () => void;
  /** Aborting cancels the job: a queued job is dropped, a running one's worker is stopped. */
  signal?: AbortSignal;
}

/** Where jobs run: a pool of threads on this machine, or workers on other machines through Redis. */
export interface Executor {
  /** Jobs it runs at once (for queue estimates); Redis executors report their last known worker count. */
  readonly capacity: number;
  /** Resolves with the run function's result; rejects with a JobError (the job failed or was cancelled). */
  run(kind: string, spec: unknown, opts?: RunOptions): Promise<unknown>;
  close(): Promise<void>;
}

/** The error a cancelled job rejects with. */
export function cancelled(reason = "the job was cancelled"): JobError {
  return new JobError({ name: "AbortError", message: reason });
}
