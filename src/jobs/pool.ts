// A pool of workers, each a thread with its own WASM engine, running jobs from one job table. Jobs
// wait in a FIFO until a worker is free. Cancelling a running job stops its worker (a synchronous WASM
// loop cannot be interrupted from outside, and a stopped worker's memory is all freed at once) and
// starts a fresh one in its place; a worker that dies on its own fails its job and is replaced too.
// Each job gets a fresh engine in its worker, so results are the same bits whatever the pool size.
// Runtime-agnostic: the runtime's adapter (node/threads.ts, web-workers.ts) says how to start a worker.
import type { FromWorker, ToWorker } from "./protocol.ts";
import { cancelled, JobError, type Executor, type RunOptions } from "./types.ts";

/** One started worker, as the pool needs it; the runtime adapter wraps its Worker in this. */
export interface WorkerHandle {
  postMessage(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** Called at most once, when the worker dies by itself (crash, exit, uncaught error). */
  onExit(handler: (why: string) => void): void;
  /** Stops the worker; its memory goes with it. */
  terminate(): Promise<void>;
}

export type SpawnWorker = () => WorkerHandle;

export interface PoolOptions {
  /** Workers (threads); ≥ 1. The runtime's entry passes the number of cores. */
  size: number;
  spawn: SpawnWorker;
}

export interface WorkerState {
  /** Increases with every worker started in this pool (a replaced worker gets a new one). */
  serial: number;
  ready: boolean;
  /** The job it runs, by the pool's job number. */
  job?: number;
  /** Linear memory of its running job's engine, last reported; 0 when idle. */
  wasmBytes: number;
  jobsDone: number;
}

export interface PoolStats {
  size: number;
  busy: number;
  queued: number;
  /** Workers started since the pool began (size + replacements). */
  started: number;
  workers: WorkerState[];
}

interface Pending {
  id: number;
  kind: string;
  spec: unknown;
  opts: RunOptions;
  resolve(result: unknown): void;
  reject(err: JobError): void;
  detach(): void;
}

interface Slot extends WorkerState {
  handle: WorkerHandle;
  pending?: Pending;
  /** Set when the pool stops the worker itself, so its exit is not taken for a crash. */
  stopping: boolean;
}

/** Workers that die before they ever say ready, in a row, before the pool gives up (a broken script). */
const MAX_FAILED_STARTS = 3;

export class WorkerPool implements Executor {
  readonly capacity: number;
  private readonly spawn: SpawnWorker;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextJob = 1;
  private started = 0;
  private failedStarts = 0;
  private broken?: string;
  private closed = false;

  constructor(o: PoolOptions) {
    if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError(`pool size must be a whole number ≥ 1, got ${o.size}`);
    this.capacity = o.size;
    this.spawn = o.spawn;
    for (let i = 0; i < o.size; i++) this.slots.push(this.startWorker());
  }

  run(kind: string, spec: unknown, opts: RunOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(cancelled("the worker pool is closed"));
      if (this.broken) return reject(new JobError({ name: "WorkerCrash", message: this.broken }));
      const { signal } = opts;
      if (signal?.aborted) return reject(cancelled());
      const onAbort = () => this.cancel(p);
      const p: Pending = {
        id: this.nextJob++, kind, spec, opts, resolve, reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(p);
      this.dispatch();
    });
  }

  get stats(): PoolStats {
    return {
      size: this.capacity,
      busy: this.slots.filter((s) => s.pending).length,
      queued: this.queue.length,
      started: this.started,
      workers: this.slots.map(({ serial, ready, job, wasmBytes, jobsDone }) => ({ serial, ready, job, wasmBytes, jobsDone })),
    };
  }

  /** Resolves once every worker has loaded and said ready (start-up cost out of the way). */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const t0 = performance.now();
    while (!this.slots.every((s) => s.ready)) {
      if (this.broken) throw new Error(this.broken);
      if (performance.now() - t0 > timeoutMs) throw new Error(`workers not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) this.settle(p, cancelled("the worker pool is closed"));
    await Promise.all(this.slots.map((s) => {
      if (s.pending) this.settle(s.pending, cancelled("the worker pool is closed"));
      s.pending = undefined;
      s.stopping = true;
      return s.handle.terminate();
    }));
  }

  private startWorker(): Slot {
    const handle = this.spawn();
    const slot: Slot = { handle, serial: ++this.started, ready: false, wasmBytes: 0, jobsDone: 0, stopping: false };
    handle.onMessage((m) => this.onMessage(slot, m));
    handle.onExit((why) => this.onExit(slot, why));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.pending || slot.stopping || !slot.ready) continue;
      const p = this.queue.shift()!;
      slot.pending = p;
      slot.job = p.id;
      slot.handle.postMessage({ type: "run", id: p.id, kind: p.kind, spec: p.spec });
      p.opts.onStart?.();
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === "ready") {
      slot.ready = true;
      this.failedStarts = 0;
      this.dispatch();
      return;
    }
    const p = slot.pending;
    if (!p || p.id !== m.id) return; // a message from a job already cancelled
    if (m.type === "progress") {
      slot.wasmBytes = m.wasmBytes;
      p.opts.onProgress?.(m.progress);
      return;
    }
    slot.pending = undefined;
    slot.job = undefined;
    slot.wasmBytes = 0;
    slot.jobsDone++;
    if (m.type === "done") this.settle(p, undefined, m.result);
    else this.settle(p, new JobError(m.failure));
    this.dispatch();
  }

  private onExit(slot: Slot, why: string): void {
    if (slot.stopping || this.closed) return;
    if (!slot.ready && ++this.failedStarts >= MAX_FAILED_STARTS) {
      this.broken = `workers fail to start (${MAX_FAILED_STARTS} in a row): ${why}`;
      const failure = new JobError({ name: "WorkerCrash", message: this.broken });
      if (slot.pending) this.settle(slot.pending, failure);
      slot.pending = undefined;
      for (const p of this.queue.splice(0)) this.settle(p, failure);
      return;
    }
    if (slot.pending) {
      this.settle(slot.pending, new JobError({ name: "WorkerCrash", message: `the worker running the job died: ${why}` }));
    }
    this.replace(slot);
  }

  /** Drops a queued job, or stops the worker running it and starts another. */
  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(p, cancelled());
      return;
    }
    const slot = this.slots.find((s) => s.pending === p);
    if (!slot) return;
    this.settle(p, cancelled());
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    slot.stopping = true;
    slot.pending = undefined;
    void slot.handle.terminate().catch(() => undefined);
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    this.slots[i] = this.startWorker();
    this.dispatch();
  }

  private settle(p: Pending, err: JobError | undefined, result?: unknown): void {
    p.detach();
    if (err) p.reject(err);
    else p.resolve(result);
  }
}
