// The job manager: what the HTTP service (and anything else that takes work from many clients) keeps
// about jobs. It hands each job to an executor (a worker pool, or Redis workers) and keeps its state
// (queued → running → succeeded | failed | cancelled), its latest progress and, for `retainMs` after it
// ends, its result. The queue is bounded: when `maxQueued` jobs wait, submit refuses with an estimate
// of when to retry. A running job past its time budget is stopped and fails with a TimeoutError.
// Listeners (SSE streams) subscribe per job and are dropped when the job ends or they unsubscribe.
// Runtime-agnostic: no timers outlive a job, expired jobs are swept lazily on each call.
import { cancelled, toFailure, type Executor, type JobFailure, type RunOptions } from "./types.ts";

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const FINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled"];

/** A job as clients see it (plain JSON). `result` only once it succeeded, `error` once it failed. */
export interface JobInfo {
  id: string;
  kind: string;
  state: JobState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The job's time budget, counted from its start. */
  budgetMs: number;
  /** Its latest progress report (shape depends on the kind: {phase, done, total} for ours). */
  progress?: unknown;
  result?: unknown;
  error?: JobFailure;
  /** When a finished job is forgotten (then its id answers 404). */
  expiresAt?: string;
}

export type JobEvent =
  | { type: "state"; job: JobInfo }
  | { type: "progress"; id: string; progress: unknown }
  /** The last event of every job: its final info (result or error included). */
  | { type: "end"; job: JobInfo };

export type JobListener = (event: JobEvent) => void;

/** A job kind run on the host that fans out to the executor itself (the study: one job per run). */
export type HostRun = (spec: unknown, ctx: { executor: Executor } & RunOptions) => Promise<unknown>;

export interface ManagerOptions {
  executor: Executor;
  /** Jobs that may wait for a worker (default 32); one more is refused with QueueFullError. */
  maxQueued?: number;
  /** Default time budget of a job from its start, ms (default 10 min). */
  budgetMs?: number;
  /** How long a finished job and its result are kept, ms (default 15 min). */
  retainMs?: number;
  /** At most this many finished jobs are kept; the oldest go first (default 1,000). */
  maxRetained?: number;
  /** Kinds run on the host (they use the executor for their parts). Other kinds go to the executor as they are. */
  hostKinds?: Record<string, HostRun>;
  now?: () => number;
}

export const MANAGER_DEFAULTS = { maxQueued: 32, budgetMs: 10 * 60_000, retainMs: 15 * 60_000, maxRetained: 1000 };

export class QueueFullError extends Error {
  override name = "QueueFullError";
  constructor(readonly retryAfterSeconds: number, queued: number) {
    super(`the job queue is full (${queued} waiting): retry in about ${retryAfterSeconds} s`);
  }
}

interface Entry {
  info: JobInfo;
  controller: AbortController;
  listeners: Set<JobListener>;
  timer?: ReturnType<typeof setTimeout>;
  timedOut: boolean;
  finished?: Promise<JobInfo>;
  startedMs?: number;
  expiresMs?: number;
}

export class JobManager {
  private readonly o: Required<Omit<ManagerOptions, "hostKinds">> & { hostKinds: Record<string, HostRun> };
  private readonly jobs = new Map<string, Entry>();
  /** Recent job durations (ms), for the Retry-After estimate. */
  private readonly durations: number[] = [];

  constructor(o: ManagerOptions) {
    this.o = { ...MANAGER_DEFAULTS, now: () => Date.now(), hostKinds: {}, ...o };
  }

  get executor(): Executor {
    return this.o.executor;
  }

  /** Queues a job; throws QueueFullError when `maxQueued` jobs already wait. */
  submit(kind: string, spec: unknown, opts: { budgetMs?: number } = {}): JobInfo {
    this.sweep();
    const queued = this.count("queued");
    if (queued >= this.o.maxQueued) throw new QueueFullError(this.retryAfter(), queued);
    const info: JobInfo = { id: crypto.randomUUID(), kind, state: "queued", createdAt: this.iso(),
      budgetMs: opts.budgetMs ?? this.o.budgetMs };
    const e: Entry = { info, controller: new AbortController(), listeners: new Set(), timedOut: false };
    this.jobs.set(info.id, e);
    const ctx: RunOptions = {
      signal: e.controller.signal,
      onStart: () => this.start(e),
      onProgress: (progress) => {
        e.info.progress = progress;
        this.emit(e, { type: "progress", id: info.id, progress });
      },
    };
    const host = Object.hasOwn(this.o.hostKinds, kind) ? this.o.hostKinds[kind] : undefined;
    const run = host ? host(spec, { ...ctx, executor: this.o.executor }) : this.o.executor.run(kind, spec, ctx);
    // A host kind runs on this thread at once; its parts queue in the executor.
    if (host) this.start(e);
    e.finished = run.then(
      (result) => this.finish(e, "succeeded", { result }),
      (err: unknown) => {
        const failure = toFailure(err);
        if (e.timedOut) {
          return this.finish(e, "failed", { error: { name: "TimeoutError",
            message: `the job ran over its time budget of ${e.info.budgetMs / 1000} s and was stopped` } });
        }
        if (e.controller.signal.aborted) {
          return this.finish(e, "cancelled", { error: toFailure(e.controller.signal.reason) });
        }
        return this.finish(e, "failed", { error: failure });
      },
    );
    return this.view(e);
  }

  /** The job, or undefined when the id is unknown or its job expired. */
  get(id: string): JobInfo | undefined {
    this.sweep();
    const e = this.jobs.get(id);
    return e && this.view(e);
  }

  /** Resolves with the job's final info (undefined for an unknown id). */
  async wait(id: string): Promise<JobInfo | undefined> {
    return this.jobs.get(id)?.finished;
  }

  /** Cancels a queued or running job (a finished one is left as it is); undefined for an unknown id. */
  cancel(id: string, reason = "cancelled by request"): JobInfo | undefined {
    this.sweep();
    const e = this.jobs.get(id);
    if (!e) return undefined;
    if (!FINAL_STATES.includes(e.info.state)) e.controller.abort(cancelled(reason));
    return this.view(e);
  }

  /** Calls `listener` with each event of the job until it ends; returns the unsubscribe function. */
  subscribe(id: string, listener: JobListener): (() => void) | undefined {
    const e = this.jobs.get(id);
    if (!e) return undefined;
    if (FINAL_STATES.includes(e.info.state)) {
      listener({ type: "end", job: this.view(e) });
      return () => undefined;
    }
    e.listeners.add(listener);
    return () => e.listeners.delete(listener);
  }

  /** Subscribed listeners over all jobs (the SSE tests check none are left behind). */
  get listenerCount(): number {
    let n = 0;
    for (const e of this.jobs.values()) n += e.listeners.size;
    return n;
  }

  get stats(): { queued: number; running: number; retained: number; capacity: number } {
    this.sweep();
    return { queued: this.count("queued"), running: this.count("running"),
      retained: this.jobs.size - this.count("queued") - this.count("running"), capacity: this.o.executor.capacity };
  }

  /** Cancels every job still going and waits for them to end. */
  async close(): Promise<void> {
    const going = [...this.jobs.values()].filter((e) => !FINAL_STATES.includes(e.info.state));
    for (const e of going) e.controller.abort(cancelled("the server is shutting down"));
    await Promise.all(going.map((e) => e.finished));
  }

  private start(e: Entry): void {
    if (e.info.state !== "queued") return;
    e.info.state = "running";
    e.info.startedAt = this.iso();
    e.startedMs = this.o.now();
    e.timer = setTimeout(() => {
      e.timedOut = true;
      e.controller.abort(cancelled("over its time budget"));
    }, e.info.budgetMs);
    this.emit(e, { type: "state", job: this.view(e) });
  }

  private finish(e: Entry, state: JobState, out: { result?: unknown; error?: JobFailure }): JobInfo {
    clearTimeout(e.timer);
    const now = this.o.now();
    if (e.startedMs !== undefined && state === "succeeded") {
      this.durations.push(now - e.startedMs);
      if (this.durations.length > 20) this.durations.shift();
    }
    e.info.state = state;
    e.info.finishedAt = this.iso();
    e.expiresMs = now + this.o.retainMs;
    e.info.expiresAt = new Date(e.expiresMs).toISOString();
    if (out.result !== undefined) e.info.result = out.result;
    if (out.error) e.info.error = out.error;
    const final = this.view(e);
    this.emit(e, { type: "end", job: final });
    e.listeners.clear();
    this.sweep();
    return final;
  }

  private emit(e: Entry, ev: JobEvent): void {
    for (const l of [...e.listeners]) {
      try {
        l(ev);
      } catch {
        e.listeners.delete(l); // a broken listener (a closed stream) never stops the job's other listeners
      }
    }
  }

  /** Forgets finished jobs past their retention time, and the oldest beyond maxRetained. */
  private sweep(): void {
    const now = this.o.now();
    const done: Entry[] = [];
    for (const [id, e] of this.jobs) {
      if (e.expiresMs === undefined) continue;
      if (e.expiresMs <= now) this.jobs.delete(id);
      else done.push(e);
    }
    for (let i = 0; i < done.length - this.o.maxRetained; i++) this.jobs.delete(done[i].info.id);
  }

  private count(state: JobState): number {
    let n = 0;
    for (const e of this.jobs.values()) if (e.info.state === state) n++;
    return n;
  }

  /** Seconds until a place in the queue is likely free: a worker frees every (mean duration / workers); 1 s … 1 h. */
  private retryAfter(): number {
    const mean = this.durations.length ? this.durations.reduce((a, b) => a + b, 0) / this.durations.length : 5000;
    return Math.min(3600, Math.max(1, Math.ceil(mean / Math.max(1, this.o.executor.capacity) / 1000)));
  }

  private view(e: Entry): JobInfo {
    return { ...e.info };
  }

  private iso(): string {
    return new Date(this.o.now()).toISOString();
  }
}

